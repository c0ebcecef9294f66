import Foundation
import NIOCore
import NIOHTTP1
import SimHTTP

/// Inside a tunnel: each HTTP request, once complete, is handed to the fake as a ``SimHTTP/HTTPRequest``
/// for `origin` (`https://us6.api.mailchimp.com`), and its answer written back. Requests on one
/// connection are answered in order.
final class ForwardingHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let origin: String
    private let handler: any HTTPHandler
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    /// The answer to the previous request, which the next one waits for.
    private var previous: EventLoopFuture<Void>?

    init(origin: String, handler: any HTTPHandler) {
        self.origin = origin
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = context.channel.allocator.buffer(capacity: 0)
        case .body(var part):
            body?.writeBuffer(&part)
        case .end:
            guard let head else { return }
            self.head = nil
            let request = Self.request(head, body: body, origin: origin)
            body = nil
            answer(request, keepAlive: head.isKeepAlive, context: context)
        }
    }

    private func answer(_ request: SimHTTP.HTTPRequest, keepAlive: Bool, context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let bound = NIOLoopBound(context, eventLoop: loop)
        let handler = handler
        let turn = previous ?? loop.makeSucceededVoidFuture()
        previous = turn.flatMap {
            loop.makeFutureWithTask { await handler.handle(request) }
        }.map { response in
            Self.write(response, keepAlive: keepAlive, context: bound.value)
        }
    }

    static func request(_ head: HTTPRequestHead, body: ByteBuffer?, origin: String) -> SimHTTP.HTTPRequest {
        var headers = SimHTTP.HTTPHeaders()
        for (name, value) in head.headers { headers.add(name, value) }
        let bytes = body.map { Data($0.readableBytesView) } ?? Data()
        return SimHTTP.HTTPRequest(method: head.method.rawValue, url: origin + head.uri, headers: headers, body: bytes)
    }

    private static func write(_ response: SimHTTP.HTTPResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = NIOHTTP1.HTTPHeaders()
        for field in response.headers where !["content-length", "transfer-encoding", "connection"].contains(field.name.lowercased()) {
            headers.add(name: field.name, value: field.value)
        }
        headers.add(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}

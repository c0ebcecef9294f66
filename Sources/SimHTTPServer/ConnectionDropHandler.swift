import HTTPTypes
import NIOCore
import NIOHTTPTypes
import SimHTTP

/// Turns a response that a fault marked as "drop the connection" (``connectionFaultHeader``)
/// into what a real network does: the socket closes before a single byte of the response is
/// written, so the client sees its connection closed, never a status line.
///
/// It sits in the channel pipeline after HTTP part decoding, where the responder's answer is
/// still a head, body parts and an end.
final class ConnectionDropHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private static let marker = HTTPField.Name(connectionFaultHeader)!
    private var dropping = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        if case .head(let head) = part, head.headerFields[Self.marker] != nil {
            dropping = true
            context.close(mode: .all, promise: nil)
        }
        guard dropping else { return context.write(data, promise: promise) }
        if case .end = part { dropping = false }
        promise?.fail(ChannelError.ioOnClosedChannel)
    }
}

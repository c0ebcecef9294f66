import NIOCore
import NIOHTTP1
import NIOSSL
import SimHTTP

/// The first handler of a proxy connection: reads one request, which must be
/// `CONNECT host:443` for a routed host. It answers `200 Connection Established`, then turns the
/// connection into a TLS server for that host (``ProxyCertificateAuthority``) whose HTTP requests
/// ``ForwardingHandler`` hands to the fake. Any other host, port or method gets a plain-text
/// refusal and the connection is closed.
final class ProxyFrontHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let decoderName = "proxy-http-decoder"
    static let encoderName = "proxy-http-encoder"

    private let routes: ProxyRoutes
    private let authority: ProxyCertificateAuthority
    private var head: HTTPRequestHead?

    init(routes: ProxyRoutes, authority: ProxyCertificateAuthority) {
        self.routes = routes
        self.authority = authority
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            open(head, context: context)
        }
    }

    private func open(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.method == .CONNECT else {
            return refuse(.methodNotAllowed, "the CohortSim proxy only tunnels HTTPS (CONNECT host:443); \(head.method.rawValue) \(head.uri) refused", context)
        }
        let (host, port) = Self.split(head.uri)
        guard port == 443, let handler = routes.handler(for: host) else {
            return refuse(.forbidden, "the CohortSim proxy routes only the Mailchimp (<dc>.api.mailchimp.com) and Mixpanel API hosts on port 443; \(head.uri) refused", context)
        }
        let tls: NIOSSLContext
        do { tls = try authority.serverContext(for: host) } catch {
            return refuse(.internalServerError, "the CohortSim proxy could not make a certificate for \(host): \(error)", context)
        }
        let pipeline = context.pipeline.syncOperations
        let channel = context.channel
        // The 200 goes out raw (no encoder: a 2xx to CONNECT has no body or length), then the
        // TLS server and a fresh HTTP codec go in behind this handler. The request decoder stops
        // at a CONNECT and keeps whatever follows (the ClientHello); removed last, it hands those
        // bytes to the TLS handler.
        pipeline.removeHandler(name: Self.encoderName, promise: nil)
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: "HTTP/1.1 200 Connection Established\r\n\r\n")), promise: nil)
        do {
            try pipeline.addHandlers([
                NIOSSLServerHandler(context: tls),
                ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)),
                HTTPResponseEncoder(),
                ForwardingHandler(origin: "https://\(host)", handler: handler),
            ], position: .after(self))
        } catch {
            context.close(promise: nil)
            return
        }
        pipeline.removeHandler(context: context).whenSuccess {
            channel.pipeline.removeHandler(name: Self.decoderName, promise: nil)
        }
    }

    private func refuse(_ status: HTTPResponseStatus, _ message: String, _ context: ChannelHandlerContext) {
        let body = context.channel.allocator.buffer(string: message + "\n")
        var headers = NIOHTTP1.HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    /// `host:port` (IPv6 in brackets); the port is 443 when absent, -1 when not a number.
    static func split(_ authority: String) -> (host: String, port: Int) {
        var text = Substring(authority)
        var host: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            text = text[text.index(after: close)...]
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            text = text[colon...]
        } else {
            return (String(text).lowercased(), 443)
        }
        guard text.hasPrefix(":") else { return (String(host).lowercased(), 443) }
        return (String(host).lowercased(), Int(text.dropFirst()) ?? -1)
    }
}

import NIOCore
import NIOHTTP1
import NIOPosix
import SimHTTP

/// An HTTPS forward proxy on loopback that routes the real Mailchimp and Mixpanel API hosts to
/// in-process handlers (the fakes) and refuses every other host.
///
/// A client sets `HTTPS_PROXY=http://127.0.0.1:PORT` and trusts ``authority``'s certificate;
/// it then reaches `https://us6.api.mailchimp.com/3.0/…` or `https://mixpanel.com/api/…`
/// unmodified. TLS is terminated with swift-nio-ssl using a leaf certificate per host, signed by
/// the per-run authority; HTTP is parsed by NIO's codec.
public struct ForwardProxy: Sendable {
    /// The port the proxy listens on.
    public let port: Int
    /// The authority whose certificate clients must trust.
    public let authority: ProxyCertificateAuthority
    private let channel: any Channel

    /// Starts the proxy on `host` (a loopback address) and `port` (0: an ephemeral port).
    public static func start(routes: ProxyRoutes, host: String = "127.0.0.1", port: Int = 0,
                             authority: ProxyCertificateAuthority) async throws -> ForwardProxy {
        guard ["127.0.0.1", "::1", "localhost"].contains(host) else { throw ProxyError.notLoopback(host) }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)),
                                            name: ProxyFrontHandler.decoderName)
                    try pipeline.addHandler(HTTPResponseEncoder(), name: ProxyFrontHandler.encoderName)
                    try pipeline.addHandler(ProxyFrontHandler(routes: routes, authority: authority))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        guard let bound = channel.localAddress?.port else { throw ProxyError.noPort }
        return ForwardProxy(port: bound, authority: authority, channel: channel)
    }

    /// The proxy's URL, for `HTTPS_PROXY`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Stops listening; open tunnels close with their clients.
    public func stop() async {
        do { try await channel.close() } catch {
            // Already closed: nothing to stop.
        }
    }
}

/// Why the proxy could not start.
public enum ProxyError: Error, CustomStringConvertible, Sendable {
    case notLoopback(String)
    case noPort

    public var description: String {
        switch self {
        case .notLoopback(let host): "the proxy binds only a loopback address, not \(host)"
        case .noPort: "the proxy's socket has no port"
        }
    }
}

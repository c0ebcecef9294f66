import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SimHTTP

/// Serves any ``HTTPHandler`` over real HTTP/1.1 on a loopback address (Hummingbird), with the
/// same request and response values as the in-process transport, so a fake behaves identically
/// in both modes.
public final class LoopbackServer: Sendable {
    /// The port the server listens on (an ephemeral one when started with port 0).
    public let port: Int
    public let host: String
    private let task: Task<Void, any Error>

    /// Largest request body accepted.
    public static let maxBodyBytes = 64 << 20

    private init(host: String, port: Int, task: Task<Void, any Error>) {
        self.host = host
        self.port = port
        self.task = task
    }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://\(host):\(port)" }

    /// Starts serving `handler` on `host:port` and returns once the socket is bound.
    /// Binding anything but a loopback address requires `allowNonLoopback`.
    public static func start(handler: any HTTPHandler, host: String = "127.0.0.1", port: Int = 0,
                             allowNonLoopback: Bool = false) async throws -> LoopbackServer {
        guard allowNonLoopback || host == "127.0.0.1" || host == "::1" || host == "localhost" else {
            throw LoopbackServerError.nonLoopbackAddress(host)
        }
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let body = try await request.body.collect(upTo: maxBodyBytes)
            let simRequest = convert(request, body: Data(body.readableBytesView), host: host)
            // A response marked with `connectionFaultHeader` is turned into a closed connection
            // by `ConnectionDropHandler` before any of it reaches the socket.
            return convert(await handler.handle(simRequest))
        }
        var logger = Logger(label: "cohortsim.loopback")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            responder: responder,
            server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionDropHandler()])),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let task = Task { try await application.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next(), bound > 0 else {
            task.cancel()
            throw LoopbackServerError.couldNotBind(host: host, port: port)
        }
        return LoopbackServer(host: host, port: bound, task: task)
    }

    /// Stops the server and waits until it has shut down.
    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    private static func convert(_ request: Request, body: Data, host: String) -> SimHTTP.HTTPRequest {
        var headers = SimHTTP.HTTPHeaders()
        for field in request.headers { headers.add(field.name.rawName, field.value) }
        let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        let authority = headers["Host"] ?? host
        return SimHTTP.HTTPRequest(method: request.method.rawValue, url: "http://\(authority)\(target)", headers: headers, body: body)
    }

    private static func convert(_ response: SimHTTP.HTTPResponse) -> Response {
        var fields = HTTPFields()
        for field in response.headers {
            if let name = HTTPField.Name(field.name) { fields.append(HTTPField(name: name, value: field.value)) }
        }
        return Response(status: .init(code: response.status), headers: fields,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
    }
}

/// Why a loopback server could not start or answer.
public enum LoopbackServerError: Error, CustomStringConvertible, Equatable {
    case nonLoopbackAddress(String)
    case couldNotBind(host: String, port: Int)

    public var description: String {
        switch self {
        case .nonLoopbackAddress(let host): "refusing to bind \(host): only loopback addresses unless explicitly allowed"
        case .couldNotBind(let host, let port): "could not bind \(host):\(port)"
        }
    }
}

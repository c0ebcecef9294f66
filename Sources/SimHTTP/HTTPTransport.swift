import Foundation
import SimCore

/// Something that answers HTTP requests: a fake service, served in-process or over loopback.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest) async -> HTTPResponse
}

/// The engine's seam to the network: the in-process transport in scenarios, AsyncHTTPClient in production.
public protocol HTTPTransport: Sendable {
    /// Sends `request` (whose ``HTTPRequest/origin`` names the service) and returns the response,
    /// or throws ``TransportError`` when no response arrives.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// A request that got no HTTP response.
public struct TransportError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// The connection was closed before a response arrived.
        case connectionDropped = "connection dropped"
        /// No response within the request timeout.
        case timeout = "timed out"
        /// No service answers at that address.
        case unreachable = "unreachable"
    }

    public let kind: Kind
    /// `METHOD URL` of the request, with no credentials.
    public let request: String
    public let detail: String

    public init(_ kind: Kind, request: String, detail: String = "") {
        self.kind = kind
        self.request = request
        self.detail = detail
    }

    public var description: String {
        "\(request): \(kind.rawValue)" + (detail.isEmpty ? "" : " (\(detail))")
    }
}

/// Header a handler sets on a response to ask its transport to drop the connection instead of
/// answering: the in-process transport throws ``TransportError/Kind/connectionDropped``, the
/// loopback server closes the socket before writing a byte.
public let connectionFaultHeader = "X-CohortSim-Drop-Connection"

/// Header the loopback client puts on a request so the server side can tell the simulation when
/// that request's handling sleeps on virtual time (see `ExternalWork`); stripped before any fake sees it.
public let externalWorkHeader = "X-CohortSim-External-Work"

/// Routes requests straight to handlers chosen by host, with no sockets.
///
/// With a `timeout`, a handler that has not answered within that much time on `clock` (for
/// example because a fault delays it) makes the request fail with ``TransportError/Kind/timeout``,
/// as a real client's timeout would. As on a real network, the handler is not interrupted: a
/// request whose client gave up still lands when its handler gets to it. Handlers run as tasks
/// preferring `executor` (the simulation's), so they stay deterministic after the client left.
public struct InProcessTransport: HTTPTransport {
    /// Picks a handler for a request (usually by host); `nil` means unreachable.
    public typealias Router = @Sendable (HTTPRequest) -> (any HTTPHandler)?

    private let router: Router
    private let timeout: (duration: SimDuration, clock: any SimClock, executor: any TaskExecutor)?

    public init(timeout: SimDuration? = nil, clock: (any SimClock)? = nil, executor: (any TaskExecutor)? = nil,
                router: @escaping Router) {
        self.router = router
        if let timeout, let clock, let executor { self.timeout = (timeout, clock, executor) } else { self.timeout = nil }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let label = "\(request.method) \(request.origin)\(request.path)"
        guard let handler = router(request) else { throw TransportError(.unreachable, request: label) }
        let response: HTTPResponse
        if let timeout {
            let answer = try await Self.race(handler: handler, request: request, timeout: timeout)
            guard let answer else {
                throw TransportError(.timeout, request: label, detail: "no response within \(timeout.duration)")
            }
            response = answer
        } else {
            response = await handler.handle(request)
        }
        if response.headers[connectionFaultHeader] != nil { throw TransportError(.connectionDropped, request: label) }
        return response
    }
}

extension InProcessTransport {
    /// The handler's response, or `nil` if `timeout` passes first; the handler keeps running
    /// either way. Cancelling the caller cancels only the wait.
    private static func race(handler: any HTTPHandler, request: HTTPRequest,
                             timeout: (duration: SimDuration, clock: any SimClock, executor: any TaskExecutor)) async throws -> HTTPResponse? {
        let outcome = FirstOutcome<HTTPResponse?>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                outcome.install(continuation)
                let timer = Task(executorPreference: timeout.executor) {
                    do {
                        try await timeout.clock.sleep(for: timeout.duration)
                        outcome.resolve(.success(nil))
                    } catch {
                        outcome.resolve(.failure(error))
                    }
                }
                outcome.attach(timer: timer)
                Task(executorPreference: timeout.executor) {
                    outcome.resolve(.success(await handler.handle(request)))
                }
            }
        } onCancel: {
            outcome.resolve(.failure(CancellationError()))
        }
    }
}

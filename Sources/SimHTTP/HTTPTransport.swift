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

/// A handler's way to say "drop this connection" or "answer only after a while" (fault injection).
/// The in-process transport turns it into a ``TransportError``; the loopback server closes the socket.
public enum ConnectionFault: Sendable, Equatable {
    case drop
}

/// Header a handler sets on a response to ask its transport to drop the connection instead of answering.
public let connectionFaultHeader = "X-CohortSim-Drop-Connection"

/// Routes requests straight to handlers chosen by host, with no sockets.
///
/// With a `timeout`, a handler that has not answered within that much time on `clock` (for
/// example because a fault delays it) makes the request fail with ``TransportError/Kind/timeout``,
/// as a real client's timeout would.
public struct InProcessTransport: HTTPTransport {
    /// Picks a handler for a request (usually by host); `nil` means unreachable.
    public typealias Router = @Sendable (HTTPRequest) -> (any HTTPHandler)?

    private let router: Router
    private let timeout: (duration: SimDuration, clock: any SimClock)?

    public init(timeout: SimDuration? = nil, clock: (any SimClock)? = nil, router: @escaping Router) {
        self.router = router
        if let timeout, let clock { self.timeout = (timeout, clock) } else { self.timeout = nil }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let label = "\(request.method) \(request.origin)\(request.path)"
        guard let handler = router(request) else { throw TransportError(.unreachable, request: label) }
        let response: HTTPResponse
        if let timeout {
            response = try await withThrowingTaskGroup(of: HTTPResponse?.self) { group in
                group.addTask { await handler.handle(request) }
                group.addTask {
                    try await timeout.clock.sleep(for: timeout.duration)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let answer = first else {
                    throw TransportError(.timeout, request: label, detail: "no response within \(timeout.duration)")
                }
                return answer
            }
        } else {
            response = await handler.handle(request)
        }
        if response.headers[connectionFaultHeader] != nil { throw TransportError(.connectionDropped, request: label) }
        return response
    }
}

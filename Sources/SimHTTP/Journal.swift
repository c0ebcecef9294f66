import Foundation
import SimCore
import Synchronization

/// One exchange the engine made, as it appears in goldens: no headers, no bodies, no secrets.
public struct JournalEntry: Sendable, Hashable, Comparable {
    /// When the request was sent.
    public var time: SimTime
    /// When its answer (or failure) arrived: with latency, requests in flight together overlap.
    public var end: SimTime
    /// A short service name, e.g. `mailchimp` or `mixpanel`.
    public var service: String
    public var method: String
    public var path: String
    /// The response status, or the transport failure (`dropped`, `timeout`).
    public var outcome: String

    public init(time: SimTime, end: SimTime? = nil, service: String, method: String, path: String, outcome: String) {
        self.time = time
        self.end = end ?? time
        self.service = service
        self.method = method
        self.path = path
        self.outcome = outcome
    }

    /// Canonical order: time first, then content, so concurrent requests never reorder a golden.
    public static func < (lhs: JournalEntry, rhs: JournalEntry) -> Bool {
        (lhs.time, lhs.service, lhs.path, lhs.method, lhs.outcome, lhs.end) < (rhs.time, rhs.service, rhs.path, rhs.method, rhs.outcome, rhs.end)
    }

    /// `<start> +<seconds>s <service> <METHOD> <path> -> <outcome>`: the start, and how long the
    /// answer took to arrive.
    public var line: String { "\(time) +\(Self.seconds(end.duration(since: time))) \(service) \(method) \(path) -> \(outcome)" }

    /// `2.314s`, `0s`, `125.02s`: seconds with the milliseconds that are not zero.
    static func seconds(_ duration: SimDuration) -> String {
        let ms = duration.milliseconds
        let whole = ms / 1000, fraction = ms % 1000
        guard fraction != 0 else { return "\(whole)s" }
        var digits = String(String(1000 + fraction).dropFirst())
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)s"
    }
}

/// Records every exchange that passes through it; wraps any transport.
public final class JournalingTransport: HTTPTransport {
    private let base: any HTTPTransport
    private let clock: any SimClock
    private let serviceName: @Sendable (HTTPRequest) -> String
    private let entries = Mutex<[JournalEntry]>([])
    /// With `captureBodies`: each entry with its request body, in arrival order (never in goldens).
    private let bodies = Mutex<[(entry: JournalEntry, body: Data)]>([])
    private let captureBodies: Bool

    /// `captureBodies` also keeps every request body in memory, for expectations on them (off
    /// by default: a million-profile export sends hundreds of megabytes).
    public init(wrapping base: any HTTPTransport, clock: any SimClock, captureBodies: Bool = false,
                serviceName: @escaping @Sendable (HTTPRequest) -> String) {
        self.base = base
        self.clock = clock
        self.captureBodies = captureBodies
        self.serviceName = serviceName
    }

    /// Every entry with its request body, in arrival order; empty unless `captureBodies`.
    public var requestBodies: [(entry: JournalEntry, body: Data)] { bodies.withLock { $0 } }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let start = clock.now
        do {
            let response = try await base.send(request)
            record(request, start, String(response.status))
            return response
        } catch let error as TransportError {
            record(request, start, error.kind == .timeout ? "timeout" : error.kind == .connectionDropped ? "dropped" : "unreachable")
            throw error
        }
    }

    private func record(_ request: HTTPRequest, _ time: SimTime, _ outcome: String) {
        let entry = JournalEntry(time: time, end: clock.now, service: serviceName(request), method: request.method,
                                 path: request.path, outcome: outcome)
        entries.withLock { $0.append(entry) }
        if captureBodies { bodies.withLock { $0.append((entry, request.body)) } }
    }

    /// All entries in the order their answers (or failures) arrived.
    public var arrivals: [JournalEntry] { entries.withLock { $0 } }

    /// All entries in canonical order.
    public var journal: [JournalEntry] { entries.withLock { $0 }.sorted() }
}

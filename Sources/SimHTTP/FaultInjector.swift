import Foundation
import SimCore
import Synchronization

/// One scenario-controlled fault: which requests it hits, what happens, and how often.
public struct FaultRule: Sendable, Equatable {
    /// What a matching request experiences.
    public enum Effect: Sendable, Equatable {
        /// Answer with this status and the service's real error body for it.
        case status(Int)
        /// Answer with an HTML page, as a firewall in front of the API does (e.g. 403 or 503).
        case htmlPage(Int)
        /// Answer with this status and no body at all.
        case emptyBody(Int)
        /// Handle the request normally, but only after this much virtual time.
        case delay(SimDuration)
        /// Close the connection without answering.
        case drop
    }

    /// HTTP method to match, or `nil` for any.
    public var method: String?
    /// A path pattern: `*` matches one segment, a trailing `/**` any rest; `nil` matches every path.
    public var path: String?
    public var effect: Effect
    /// Hit at most this many matching requests (`nil`: unlimited).
    public var times: Int?
    /// Hit a matching request with this probability, drawn from the seed (`nil`: always).
    public var probability: Double?
    /// Only from this virtual time on (`nil`: from the start).
    public var from: SimTime?

    public init(method: String? = nil, path: String? = nil, effect: Effect, times: Int? = nil,
                probability: Double? = nil, from: SimTime? = nil) {
        self.method = method?.uppercased()
        self.path = path
        self.effect = effect
        self.times = times
        self.probability = probability
        self.from = from
    }

    func matches(_ request: HTTPRequest, at now: SimTime) -> Bool {
        if let method, method != request.method { return false }
        if let from, now < from { return false }
        guard let path else { return true }
        return Self.match(pattern: path, path: request.path)
    }

    static func match(pattern: String, path: String) -> Bool {
        let p = pattern.split(separator: "/", omittingEmptySubsequences: true)
        let s = path.split(separator: "/", omittingEmptySubsequences: true)
        for (index, part) in p.enumerated() {
            if part == "**" { return true }
            guard index < s.count else { return false }
            if part != "*" && part != s[index] { return false }
        }
        return p.count == s.count
    }
}

/// Decides, request by request, which fault (if any) applies. Draws are seeded and counted per
/// rule, so the same scenario injects the same faults every time.
public final class FaultInjector: Sendable {
    private let rules: [FaultRule]
    private let seed: UInt64
    private let state: Mutex<[Int]>

    public init(rules: [FaultRule], seed: UInt64) {
        self.rules = rules
        self.seed = seed
        state = Mutex(Array(repeating: 0, count: rules.count))
    }

    /// The effect of the first rule that hits `request`, if any (recording the hit).
    public func effect(for request: HTTPRequest, at now: SimTime) -> FaultRule.Effect? {
        state.withLock { seen in
            for (index, rule) in rules.enumerated() where rule.matches(request, at: now) {
                seen[index] += 1
                if let times = rule.times, seen[index] > times { continue }
                if let probability = rule.probability {
                    let draw = Double(StableHash.value(seed: seed, "fault", String(index), String(seen[index])) >> 11) / Double(UInt64(1) << 53)
                    guard draw < probability else { continue }
                }
                return rule.effect
            }
            return nil
        }
    }

    /// Applies the effect with the help of the service (which knows its real error bodies):
    /// returns a response to send instead of handling the request, or `nil` to handle it
    /// (after any delay).
    public func intercept(_ request: HTTPRequest, clock: any SimClock,
                          errorBody: (Int) -> HTTPResponse) async -> HTTPResponse? {
        guard let effect = effect(for: request, at: clock.now) else { return nil }
        switch effect {
        case .status(let status):
            return errorBody(status)
        case .htmlPage(let status):
            let html = "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>You don't have permission to access this server.<P>Reference #18.CohortSim</BODY></HTML>\n"
            return HTTPResponse(status: status, headers: ["Content-Type": "text/html", "Server": "AkamaiGHost"], body: Data(html.utf8))
        case .emptyBody(let status):
            return HTTPResponse(status: status)
        case .delay(let duration):
            try? await clock.sleep(for: duration)
            return nil
        case .drop:
            return HTTPResponse(status: 599, headers: [connectionFaultHeader: "1"])
        }
    }
}

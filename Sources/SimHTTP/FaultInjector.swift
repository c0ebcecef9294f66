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
        /// Handle the request (its writes happen), then close the connection before the answer
        /// reaches the client: the client cannot tell this from ``drop``.
        case loseResponse
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
    /// Only before this virtual time (`nil`: for ever).
    public var until: SimTime?
    /// With a ``Effect/status(_:)`` answer: the `Retry-After` header it carries, in whole seconds
    /// (`nil`: none, as Mailchimp's own 429s have none).
    public var retryAfter: SimDuration?

    public init(method: String? = nil, path: String? = nil, effect: Effect, times: Int? = nil,
                probability: Double? = nil, from: SimTime? = nil, until: SimTime? = nil, retryAfter: SimDuration? = nil) {
        self.method = method?.uppercased()
        self.path = path
        self.effect = effect
        self.times = times
        self.probability = probability
        self.from = from
        self.until = until
        self.retryAfter = retryAfter
    }

    func matches(_ request: HTTPRequest, at now: SimTime) -> Bool {
        RequestMatch.matches(request, at: now, method: method, path: path, from: from, until: until)
    }
}

/// How a fault rule or a latency rule picks its requests: an optional method, an optional path
/// pattern (`*` one segment, `**` the rest) and an optional window `[from, until)` of virtual time.
public enum RequestMatch {
    static func matches(_ request: HTTPRequest, at now: SimTime, method: String?, path: String?,
                        from: SimTime?, until: SimTime?) -> Bool {
        if let method, method != request.method { return false }
        if let from, now < from { return false }
        if let until, now >= until { return false }
        guard let path else { return true }
        return match(pattern: path, path: request.path)
    }

    /// Whether `path` fits `pattern` (`*` one segment, a trailing `/**` any rest).
    public static func match(pattern: String, path: String) -> Bool {
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
    private let seed: UInt64
    /// The rules, and per rule: requests it matched, and requests it hit.
    private let state: Mutex<(rules: [FaultRule], seen: [Int], hit: [Int])>

    public init(rules: [FaultRule], seed: UInt64) {
        self.seed = seed
        state = Mutex((rules, Array(repeating: 0, count: rules.count), Array(repeating: 0, count: rules.count)))
    }

    /// Appends `rules` after the current ones, with nothing matched or hit yet (`serve`'s admin API).
    public func add(_ rules: [FaultRule]) {
        state.withLock { state in
            state.rules += rules
            state.seen += Array(repeating: 0, count: rules.count)
            state.hit += Array(repeating: 0, count: rules.count)
        }
    }

    /// Removes every rule, the scenario's included (`serve`'s admin API).
    public func clear() {
        state.withLock { $0 = ([], [], []) }
    }

    /// The rules in force, in the order they are consulted.
    public var rules: [FaultRule] { state.withLock { $0.rules } }

    /// The first rule that hits `request`, if any (recording the hit).
    public func rule(for request: HTTPRequest, at now: SimTime) -> FaultRule? {
        state.withLock { counts in
            for (index, rule) in counts.rules.enumerated() where rule.matches(request, at: now) {
                counts.seen[index] += 1
                if let times = rule.times, counts.hit[index] >= times { continue }
                if let probability = rule.probability {
                    let draw = Double(StableHash.value(seed: seed, "fault", String(index), String(counts.seen[index])) >> 11) / Double(UInt64(1) << 53)
                    guard draw < probability else { continue }
                }
                counts.hit[index] += 1
                return rule
            }
            return nil
        }
    }

    /// How many requests each rule has hit so far, in rule order.
    public func hitCounts() -> [Int] { state.withLock { $0.hit } }

    /// The effect of the first rule that hits `request`, if any (recording the hit).
    public func effect(for request: HTTPRequest, at now: SimTime) -> FaultRule.Effect? {
        rule(for: request, at: now)?.effect
    }

    /// Applies the fault (if any) around `handle`, the service's normal handling: the service
    /// supplies its real error bodies with `errorBody`.
    public func apply(_ request: HTTPRequest, clock: any SimClock, errorBody: (Int) -> HTTPResponse,
                      handle: () async -> HTTPResponse) async -> HTTPResponse {
        guard let rule = rule(for: request, at: clock.now) else { return await handle() }
        switch rule.effect {
        case .status(let status):
            var response = errorBody(status)
            if let retryAfter = rule.retryAfter { response.headers.set("Retry-After", String(max(0, retryAfter.milliseconds / 1000))) }
            return response
        case .htmlPage(let status):
            return Self.htmlPage(status: status)
        case .emptyBody(let status):
            return HTTPResponse(status: status)
        case .delay(let duration):
            do {
                try await clock.sleep(for: duration)
            } catch {
                // The client gave up waiting (its timeout cancelled us): a real server still
                // handles a request whose client left, so its writes happen all the same.
            }
            return await handle()
        case .drop:
            return Self.dropped
        case .loseResponse:
            _ = await handle()
            return Self.dropped
        }
    }

    /// The answer a firewall in front of the API gives.
    static func htmlPage(status: Int) -> HTTPResponse {
        let html = "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>You don't have permission to access this server.<P>Reference #18.CohortSim</BODY></HTML>\n"
        return HTTPResponse(status: status, headers: ["Content-Type": "text/html", "Server": "AkamaiGHost"], body: Data(html.utf8))
    }

    /// What the transport turns into a dropped connection.
    static var dropped: HTTPResponse { HTTPResponse(status: 599, headers: [connectionFaultHeader: "1"]) }
}

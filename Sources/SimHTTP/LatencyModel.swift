import Foundation
import SimCore

/// How long a fake takes to answer a request, in virtual time: a per-route service time that
/// grows with the bytes exchanged, drawn from the seed.
///
/// The first matching rule decides: a fixed `base`, plus `perKiB` for every KiB of request and
/// response body, times a factor drawn uniformly from `1 ± jitter`, rounded to whole milliseconds.
/// The draw depends only on the seed, the request (method, path, body) and its arrival time, so
/// the same scenario gets the same times in any order of concurrent requests and in either
/// transport. The fakes apply it after handling a request and before the answer leaves, so a
/// slow request holds its connection (and its rate-limit slot) for its whole service time, and a
/// client that times out first finds the request applied all the same.
public struct LatencyModel: Sendable, Equatable {
    /// One route's service time.
    public struct Rule: Sendable, Equatable {
        /// HTTP method to match, or `nil` for any.
        public var method: String?
        /// Path pattern as in ``FaultRule/path``: `*` one segment, a trailing `/**` any rest; `nil` every path.
        public var path: String?
        public var base: SimDuration
        /// Added for each KiB (1024 bytes) of request plus response body.
        public var perKiB: SimDuration
        /// Relative spread of the uniform factor, 0 (none) to 0.9.
        public var jitter: Double
        /// Only from this virtual time on (`nil`: from the start).
        public var from: SimTime?
        /// Only before this virtual time (`nil`: for ever).
        public var until: SimTime?

        public init(method: String? = nil, path: String? = nil, base: SimDuration, perKiB: SimDuration = SimDuration(milliseconds: 0),
                    jitter: Double = 0.25, from: SimTime? = nil, until: SimTime? = nil) {
            self.method = method?.uppercased()
            self.path = path
            self.base = base
            self.perKiB = perKiB
            self.jitter = jitter
            self.from = from
            self.until = until
        }

        func matches(_ request: HTTPRequest, at now: SimTime) -> Bool {
            RequestMatch.matches(request, at: now, method: method, path: path, from: from, until: until)
        }
    }

    /// Rules in order; the first that matches a request decides. No match: no delay.
    public var rules: [Rule]

    public init(rules: [Rule]) {
        self.rules = rules
    }

    /// Every request answered at the instant it arrives (the behaviour before latency existed).
    public static let off = LatencyModel(rules: [])

    /// The same model with `rules` consulted first (a scenario's overrides).
    public func overridden(by rules: [Rule]) -> LatencyModel {
        LatencyModel(rules: rules + self.rules)
    }

    /// The service time of `request`, answered with `responseBytes` of body, arriving at `arrival`.
    public func serviceTime(for request: HTTPRequest, responseBytes: Int, arrival: SimTime, seed: UInt64) -> SimDuration {
        guard let rule = rules.first(where: { $0.matches(request, at: arrival) }) else { return SimDuration(milliseconds: 0) }
        let kib = Double(request.body.count + responseBytes) / 1024
        let nominal = Double(rule.base.milliseconds) + Double(rule.perKiB.milliseconds) * kib
        let jitter = min(max(rule.jitter, 0), 0.9)
        guard jitter > 0 else { return SimDuration(milliseconds: Int64(nominal.rounded())) }
        let draw = StableHash.value(seed: seed, "latency", request.method, request.target,
                                    String(StableHash.fnv1a64(String(decoding: request.body, as: UTF8.self))),
                                    String(arrival.milliseconds))
        let unit = Double(draw >> 11) / Double(UInt64(1) << 53)
        return SimDuration(milliseconds: Int64((nominal * (1 - jitter + 2 * jitter * unit)).rounded()))
    }

    /// Sleeps `request`'s service time on `clock` (answered with `response`), then returns the
    /// response. A cancelled sleep (the loopback client hung up) returns at once: the answer is
    /// lost either way, and the request's effects have already happened.
    public func pace(_ request: HTTPRequest, _ response: HTTPResponse, arrival: SimTime, seed: UInt64,
                     clock: any SimClock) async -> HTTPResponse {
        let time = serviceTime(for: request, responseBytes: response.body.count, arrival: arrival, seed: seed)
        guard time.milliseconds > 0 else { return response }
        do {
            try await clock.sleep(for: time)
        } catch {
            // Cancelled: the client left; nobody reads this answer.
        }
        return response
    }
}

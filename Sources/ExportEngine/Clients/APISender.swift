import Foundation
import SimCore
import SimHTTP

/// Why an API call did not succeed, classified the way the engine acts on it.
public enum APIFailure: Error, Equatable, CustomStringConvertible, Sendable {
    /// 429, 5xx, timeouts or dropped connections that persisted through every retry.
    case transient(String)
    /// 401, 403 or 404 on the connection or the audience: the sync pauses.
    case fatal(status: Int, title: String, detail: String)
    /// Any other 4xx on a whole request: the run fails, the sync keeps its schedule.
    case rejected(status: Int, title: String, detail: String)

    public var description: String {
        switch self {
        case .transient(let reason): "transient failure: \(reason)"
        case .fatal(let status, let title, let detail), .rejected(let status, let title, let detail):
            "HTTP \(status) \(title)" + (detail.isEmpty ? "" : ": \(detail)")
        }
    }
}

/// Sends requests with the engine's retry policy.
///
/// - 5xx and transport errors (the service is failing): at most 5 tries within 60 s of the first
///   failure, exponential backoff with seeded jitter (A42, the published webhook policy).
/// - 429 (a limit says "wait"): the run waits rather than fails, up to ``rateLimitTries`` tries
///   within ``rateLimitBudget``, honouring `Retry-After` (seconds or an HTTP date); Mailchimp's
///   backoff starts at 1 s and is capped at a minute, the Mixpanel query API's (whose window is
///   an hour) starts at a minute and is capped at 15 minutes, Mixpanel ingestion's follows its
///   published policy (2 s doubling to 60 s, 1–5 s jitter, for 429 and 5xx alike).
///
/// Each attempt first passes the request's ``RequestGate`` (if any), which paces the engine
/// within the service's limits.
struct APISender: Sendable {
    static let maxTries = 5
    static let retryBudget = SimDuration.seconds(60)
    static let rateLimitTries = 10
    static let rateLimitBudget = SimDuration.hours(1)

    let transport: any HTTPTransport
    let clock: any SimClock
    let seed: UInt64
    /// Counts each request sent (retries included) into the run's report.
    let onSend: @Sendable () -> Void
    /// Asked before every attempt (retries included); throws to send nothing more (the sync the
    /// request is for was stopped while its run was under way).
    var beforeAttempt: @Sendable () throws -> Void = {}
    /// The gate a request passes before each attempt (`nil`: none).
    var gate: @Sendable (HTTPRequest) -> (any RequestGate)? = { _ in nil }

    init(transport: any HTTPTransport, clock: any SimClock, seed: UInt64, onSend: @escaping @Sendable () -> Void,
         beforeAttempt: @escaping @Sendable () throws -> Void = {},
         gate: @escaping @Sendable (HTTPRequest) -> (any RequestGate)? = { _ in nil }) {
        self.transport = transport
        self.clock = clock
        self.seed = seed
        self.onSend = onSend
        self.beforeAttempt = beforeAttempt
        self.gate = gate
    }

    /// Sends `request`, retrying transient failures. A status in `accepting` is returned as an
    /// answer instead of being thrown (e.g. `/import`'s 400 with per-record failures).
    func send(_ request: HTTPRequest, accepting: Set<Int> = []) async throws -> HTTPResponse {
        let started = clock.now
        var failingSince: SimTime?
        var (failures, rateLimited) = (0, 0)
        var lastProblem = ""
        let gate = gate(request)
        while true {
            try await gate?.enter()
            do {
                try beforeAttempt()
            } catch {
                await gate?.leave(.ended)
                throw error
            }
            onSend()
            var retryAfter: SimDuration?
            var limited = false
            do {
                let response: HTTPResponse
                do {
                    response = try await transport.send(request)
                } catch let error as TransportError {
                    await gate?.leave(error.kind == .timeout ? .timedOut : .ended)
                    throw error
                }
                await gate?.leave(.answered(status: response.status))
                if response.status < 400 || accepting.contains(response.status) { return response }
                let (title, detail) = Self.problem(response)
                if response.status == 429 || response.status >= 500 {
                    lastProblem = "HTTP \(response.status) \(title)"
                    limited = response.status == 429
                    retryAfter = response.headers["Retry-After"].flatMap { RetryAfter.delay($0, now: clock.now) }
                } else if [401, 403, 404].contains(response.status) {
                    throw APIFailure.fatal(status: response.status, title: title, detail: detail)
                } else {
                    throw APIFailure.rejected(status: response.status, title: title, detail: detail)
                }
            } catch let error as TransportError {
                lastProblem = error.kind.rawValue
            }
            let delay: SimDuration
            if limited {
                rateLimited += 1
                guard rateLimited < Self.rateLimitTries else { break }
                delay = retryAfter ?? rateLimitBackoff(attempt: rateLimited, request: request)
                guard clock.now.adding(delay).duration(since: started) <= Self.rateLimitBudget else { break }
            } else {
                failures += 1
                let since = failingSince ?? clock.now
                failingSince = since
                guard failures < Self.maxTries else { break }
                delay = retryAfter ?? backoff(attempt: failures, request: request)
                guard clock.now.adding(delay).duration(since: since) <= Self.retryBudget else { break }
            }
            try await clock.sleep(for: delay)
        }
        throw APIFailure.transient("\(request.method) \(request.path): \(lastProblem) after retries")
    }

    /// After the `attempt`-th 429: Mailchimp 1 s doubling to 60 s; the Mixpanel query API 60 s
    /// doubling to 15 min; plus up to 1 s of seeded jitter. Mixpanel's ingestion endpoints follow
    /// their published policy instead (``ingestionBackoff(attempt:request:)``).
    private func rateLimitBackoff(attempt: Int, request: HTTPRequest) -> SimDuration {
        switch ServiceFamily(request) {
        case .ingestion: return ingestionBackoff(attempt: attempt, request: request)
        case .query, .mailchimp:
            let (first, cap): (Int64, Int64) = ServiceFamily(request) == .query ? (60_000, 900_000) : (1000, 60_000)
            let nominal = min(cap, first << min(attempt - 1, 20))
            return SimDuration(milliseconds: nominal + Int64(jitter(attempt: attempt, request: request, salt: "rate-limit")))
        }
    }

    /// 1 s, 2 s, 4 s, 8 s, plus up to 1 s of jitter derived from the seed and the request, so the
    /// delay does not depend on the order concurrent requests fail in. Mixpanel's ingestion
    /// endpoints use ``ingestionBackoff(attempt:request:)``.
    private func backoff(attempt: Int, request: HTTPRequest) -> SimDuration {
        if ServiceFamily(request) == .ingestion { return ingestionBackoff(attempt: attempt, request: request) }
        return SimDuration(milliseconds: Int64(1000 << (attempt - 1)) + Int64(jitter(attempt: attempt, request: request, salt: "jitter")))
    }

    /// Mixpanel's published policy for `/import`, `/track` and `/engage` updates on 429, 502 and
    /// 503 (mixpanel.md §5.2): from 2 s, doubling up to 60 s, plus 1–5 s of seeded jitter.
    private func ingestionBackoff(attempt: Int, request: HTTPRequest) -> SimDuration {
        let nominal = min(60_000, Int64(2000) << min(attempt - 1, 20))
        let jitter = 1000 + Int64(jitter(attempt: attempt, request: request, salt: "ingestion", range: 4001))
        return SimDuration(milliseconds: nominal + jitter)
    }

    /// Which policy a request's retries follow.
    enum ServiceFamily: Equatable {
        case mailchimp, query, ingestion

        init(_ request: HTTPRequest) {
            if request.path.contains("/query/") || request.path.contains("/2.0/") {
                self = .query
            } else if ["/import", "/track", "/engage"].contains(request.path) {
                self = .ingestion
            } else {
                self = .mailchimp
            }
        }
    }

    /// Up to 999 ms (or, with a wider `range`, up to `range` − 1), derived from the seed, the
    /// request and the attempt.
    private func jitter(attempt: Int, request: HTTPRequest, salt: String, range: UInt64 = 1000) -> UInt64 {
        StableHash.value(seed: seed, salt, request.method, request.path,
                         String(StableHash.fnv1a64(String(decoding: request.body, as: UTF8.self))), String(attempt)) % range
    }

    /// Title and detail of an error body: Mailchimp's problem document, Mixpanel's `error`, or the
    /// start of an HTML page (a firewall block).
    static func problem(_ response: HTTPResponse) -> (String, String) {
        if let json = response.json {
            if let title = json["title"]?.stringValue { return (title, json["detail"]?.stringValue ?? "") }
            if let error = json["error"]?.stringValue { return ("error", error) }
        }
        let text = response.bodyText
        if text.lowercased().contains("<html") { return ("HTML error page", "") }
        return ("", String(text.prefix(200)))
    }
}

extension HTTPHeaders {
    /// Basic authorization for `user:password`.
    static func basic(_ user: String, _ password: String) -> HTTPHeaders {
        ["Authorization": "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()]
    }
}

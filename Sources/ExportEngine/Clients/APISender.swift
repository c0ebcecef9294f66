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

/// Sends requests with the engine's retry policy: 429, 5xx and transport errors are retried with
/// exponential backoff and jitter, at most 5 tries within 60 s, honouring `Retry-After`.
struct APISender: Sendable {
    static let maxTries = 5
    static let retryBudget = SimDuration.seconds(60)

    let transport: any HTTPTransport
    let clock: any SimClock
    let seed: UInt64
    /// Counts each request sent (retries included) into the run's report.
    let onSend: @Sendable () -> Void
    /// Asked before every attempt (retries included); throws to send nothing more (the sync the
    /// request is for was stopped while its run was under way).
    var beforeAttempt: @Sendable () throws -> Void = {}

    /// Sends `request`, retrying transient failures. A status in `accepting` is returned as an
    /// answer instead of being thrown (e.g. `/import`'s 400 with per-record failures).
    func send(_ request: HTTPRequest, accepting: Set<Int> = []) async throws -> HTTPResponse {
        let started = clock.now
        var lastProblem = ""
        for attempt in 1...Self.maxTries {
            try beforeAttempt()
            onSend()
            var retryAfter: SimDuration?
            do {
                let response = try await transport.send(request)
                if response.status < 400 || accepting.contains(response.status) { return response }
                let (title, detail) = Self.problem(response)
                if response.status == 429 || response.status >= 500 {
                    lastProblem = "HTTP \(response.status) \(title)"
                    retryAfter = response.headers["Retry-After"].flatMap { Int64($0.trimmingWhitespace()) }.map(SimDuration.seconds)
                } else if [401, 403, 404].contains(response.status) {
                    throw APIFailure.fatal(status: response.status, title: title, detail: detail)
                } else {
                    throw APIFailure.rejected(status: response.status, title: title, detail: detail)
                }
            } catch let error as TransportError {
                lastProblem = error.kind.rawValue
            }
            guard attempt < Self.maxTries else { break }
            let delay = retryAfter ?? backoff(attempt: attempt, request: request)
            guard clock.now.adding(delay).duration(since: started) <= Self.retryBudget else { break }
            try await clock.sleep(for: delay)
        }
        throw APIFailure.transient("\(request.method) \(request.path): \(lastProblem) after retries")
    }

    /// 1 s, 2 s, 4 s, 8 s, plus up to 1 s of jitter derived from the seed and the request, so the
    /// delay does not depend on the order concurrent requests fail in.
    private func backoff(attempt: Int, request: HTTPRequest) -> SimDuration {
        let jitter = StableHash.value(seed: seed, "jitter", request.method, request.path,
                                      String(StableHash.fnv1a64(String(decoding: request.body, as: UTF8.self))), String(attempt)) % 1000
        return SimDuration(milliseconds: Int64(1000 << (attempt - 1)) + Int64(jitter))
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

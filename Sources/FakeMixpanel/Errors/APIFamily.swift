import SimCore
import SimHTTP

/// Which Mixpanel API a path belongs to; each family has its own error body (§5.2, §5.3, §6.3).
enum APIFamily: Sendable, Equatable {
    /// `/api/2.0/…`, `/api/query/…`: `{"request": "<path?query>", "error": "<message>"}`.
    case query
    /// `/import`: `{"code": N, "error": "<message>", "status": "<reason phrase>"}`.
    case importAPI
    /// `/track`, `/engage` updates, and the app API (`/api/app/…`): `{"error": "<message>", "status": "error"}`.
    case ingestion
    case app

    init(path: String) {
        if path == "/import" {
            self = .importAPI
        } else if path == "/track" || path == "/engage" {
            self = .ingestion
        } else if path.hasPrefix("/api/app/") {
            self = .app
        } else {
            self = .query
        }
    }

    /// Whether the query rate limits (§6.2) apply: `/engage` and `/cohorts/list` queries.
    var isRateLimitedQuery: Bool { self == .query }

    /// Whether the ingestion volume limit (§6.2) applies: `/import`, `/track`, `/engage` updates.
    var isIngestion: Bool { self == .importAPI || self == .ingestion }

    /// The family's error body for `status` and `message`.
    func errorResponse(status: Int, message: String, for request: HTTPRequest) -> HTTPResponse {
        switch self {
        case .query:
            return QueryError(status: status, message: message).response(for: request)
        case .importAPI:
            return .json(["code": .int(Int64(status)), "error": .string(message), "status": .string(Self.reason(status))], status: status)
        case .ingestion, .app:
            return .json(["error": .string(message), "status": "error"], status: status)
        }
    }

    /// The body a fault rule's `status(N)` gets: the real message where the reference quotes one.
    func faultResponse(status: Int, for request: HTTPRequest, projectID: Int64) -> HTTPResponse {
        errorResponse(status: status, message: faultMessage(status: status, projectID: projectID), for: request)
    }

    private func faultMessage(status: Int, projectID: Int64) -> String {
        switch (self, status) {
        case (.query, 429): return QueryRateLimiter.message(projectID: projectID, running: 1, lastHour: 61)
        case (.query, 400): return "Timeout Error."
        case (.importAPI, 429): return IngestionMeter.message
        case (.importAPI, 413): return "request exceeds max limit of 2097152 bytes"
        case (_, 401): return "Invalid credentials"
        default: return Self.reason(status)
        }
    }

    /// The HTTP reason phrase.
    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 413: "Request Entity Too Large"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Error"
        }
    }
}

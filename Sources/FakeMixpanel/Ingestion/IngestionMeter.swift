import Foundation
import SimCore
import SimHTTP
import Synchronization

/// The ingestion API's volume limit (§6.2): 2 GB of uncompressed JSON per project in any rolling
/// minute (about 30,000 events a second). A request that would pass it is refused with 429 and
/// the API's rate-limit message; a gzip body counts at its uncompressed size.
final class IngestionMeter: Sendable {
    /// 2 GB as the reference states it, in decimal units (2 GiB would be ~7 % kinder).
    static let bytesPerMinute = 2_000_000_000

    /// The volume allowed in any rolling minute (the real limit unless a test sets a small one).
    let limit: Int
    private let accepted = Mutex<[(time: SimTime, bytes: Int)]>([])

    init(bytesPerMinute: Int = IngestionMeter.bytesPerMinute) {
        limit = bytesPerMinute
    }

    /// The 429 for `request`, or `nil` when it fits within the last minute's volume (then counted).
    func refusal(_ request: HTTPRequest, family: APIFamily, at now: SimTime) -> HTTPResponse? {
        let bytes: Int
        switch PayloadDecoder.body(request) {
        case .success(let body): bytes = body.count
        case .failure: return nil  // the route answers the undecodable body with its own 400
        }
        let admitted = accepted.withLock { window -> Bool in
            window.removeAll { $0.time <= now.adding(.minutes(-1)) }
            guard window.reduce(0, { $0 + $1.bytes }) + bytes <= limit else { return false }
            window.append((now, bytes))
            return true
        }
        guard !admitted else { return nil }
        return family.errorResponse(status: 429, message: Self.message, for: request)
    }

    /// The ingestion API's 429 text (mixpanel.md §5.2).
    static let message = "Project exceeded rate limits. Please retry the request with exponential backoff."
}

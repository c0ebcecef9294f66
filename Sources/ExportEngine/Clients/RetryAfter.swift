import Foundation
import SimCore

/// Reads a `Retry-After` header (RFC 9110 §10.2.3): either a number of seconds or an HTTP date.
enum RetryAfter {
    /// The wait the header asks for at `now`, or `nil` when it is neither form (the caller then
    /// uses its own backoff). A date in the past asks for no wait.
    static func delay(_ value: String, now: SimTime) -> SimDuration? {
        let text = value.trimmingWhitespace()
        if let seconds = Int64(text), seconds >= 0 { return .seconds(seconds) }
        guard let date = httpDate(text) else { return nil }
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        return SimDuration(milliseconds: max(0, milliseconds - now.milliseconds))
    }

    /// The IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`), the one senders must use; the
    /// obsolete RFC 850 and asctime forms are also accepted, as recipients must (RFC 9110 §5.6.7).
    static func httpDate(_ text: String) -> Date? {
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}

import FakeMailchimp
import SimCore
import SimHTTP

/// How close the engine came to each service's limits, read from the request journal: the most
/// Mailchimp requests it had in flight at once, and the most Mixpanel queries it started in
/// any rolling hour and had running at once. Every scenario reports it in its golden and fails
/// when the engine itself went over a limit (a 429 the engine caused is a bug, not a fault).
struct LimitUsage: Equatable {
    /// Mailchimp's simultaneous connections per user (mailchimp.md §4).
    static let mailchimpConnections = FakeMailchimp.connectionLimit
    /// The query API's limits per project (mixpanel.md §6.2).
    static let queriesPerHour = 60
    static let concurrentQueries = 5

    var mailchimpPeak = 0
    var queriesPeakHour = 0
    var queriesPeakConcurrent = 0

    init(journal: [JournalEntry]) {
        mailchimpPeak = Self.peakOverlap(journal.filter { $0.service == "mailchimp" })
        let queries = journal.filter { $0.service == "mixpanel" && Self.isQuery($0.path) }
        queriesPeakConcurrent = Self.peakOverlap(queries)
        let starts = queries.map(\.time).sorted()
        var first = 0
        for (index, start) in starts.enumerated() {
            while starts[first] <= start.adding(.hours(-1)) { first += 1 }
            queriesPeakHour = max(queriesPeakHour, index - first + 1)
        }
    }

    /// A request to the query API (`/api/query/…`, `/api/2.0/…`), which the limits meter.
    static func isQuery(_ path: String) -> Bool {
        path.hasPrefix("/api/query/") || path.hasPrefix("/api/2.0/")
    }

    /// The most intervals [start, end) that overlap at one instant; a request lasting no time
    /// still counts as in flight at its instant.
    private static func peakOverlap(_ entries: [JournalEntry]) -> Int {
        // At one instant, ends (-1) before starts (+1), so back-to-back requests do not overlap;
        // an instantaneous request is a start then an end at the same instant.
        var events: [(time: SimTime, order: Int, delta: Int)] = []
        for entry in entries {
            events.append((entry.time, 1, 1))
            events.append((entry.end, entry.end == entry.time ? 2 : 0, -1))
        }
        events.sort { ($0.time, $0.order) < ($1.time, $1.order) }
        var current = 0, peak = 0
        for event in events {
            current += event.delta
            peak = max(peak, current)
        }
        return peak
    }

    /// Lines for the outcome document.
    var lines: [String] {
        [
            "mailchimp: at most \(mailchimpPeak) request\(mailchimpPeak == 1 ? "" : "s") in flight (limit \(Self.mailchimpConnections))",
            "mixpanel queries: at most \(queriesPeakHour) in an hour (limit \(Self.queriesPerHour)), \(queriesPeakConcurrent) at once (limit \(Self.concurrentQueries))",
        ]
    }

    /// What went over a limit, if anything.
    var violations: [String] {
        var found: [String] = []
        if mailchimpPeak > Self.mailchimpConnections {
            found.append("the engine had \(mailchimpPeak) Mailchimp requests in flight at once (limit \(Self.mailchimpConnections))")
        }
        if queriesPeakHour > Self.queriesPerHour {
            found.append("the engine started \(queriesPeakHour) Mixpanel queries within an hour (limit \(Self.queriesPerHour))")
        }
        if queriesPeakConcurrent > Self.concurrentQueries {
            found.append("the engine ran \(queriesPeakConcurrent) Mixpanel queries at once (limit \(Self.concurrentQueries))")
        }
        return found
    }
}

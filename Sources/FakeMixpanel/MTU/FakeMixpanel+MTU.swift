import GRDB
import SimStorage
import SimCore

/// A month that is not `YYYY-MM`.
public struct InvalidMonth: Error, Equatable {
    public var month: String
}

extension FakeMixpanel {
    /// The MTU count for a calendar month (`YYYY-MM`, UTC), under ``mtuSettings``.
    ///
    /// An MTU is a user with at least one qualifying event in the month (§7.1). Events with an
    /// empty distinct_id count for nobody (A33); duplicates (§5.5) count once.
    public func mtu(month: String) throws -> MTUReport {
        guard let (start, end) = Self.monthBounds(month) else { throw InvalidMonth(month: month) }
        let column = mtuSettings.monthBasis == .eventTime ? "time" : "ingested"
        let rows = try database.reading { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT name, distinct_id, properties FROM live_event WHERE \(column) >= ? AND \(column) < ?"), arguments: [start.milliseconds, end.milliseconds])
        }
        let resolve = userResolver(monthEnd: end)
        let classifier = MTUClassifier(settings: mtuSettings)
        var report = MTUReport(month: month, users: [], qualifyingEvents: 0, excludedEvents: 0, exemptEvents: 0, guardrailEvents: 0)
        var users: Set<String> = []
        for row in rows {
            let name: String = row["name"], id: String = row["distinct_id"]
            let source = classifier.exemptNames.contains(name) ? Self.source(of: row["properties"]) : nil
            switch classifier.kind(name: name, source: source) {
            case .excluded: report.excludedEvents += 1
            case .exempt: report.exemptEvents += 1
            case .qualifying:
                report.qualifyingEvents += 1
                if !id.isEmpty || mtuSettings.countEmptyDistinctID { users.insert(resolve(id)) }
            }
        }
        report.users = users.sorted()
        report.guardrailEvents = mtuSettings.guardrailCountsAllEvents ? rows.count : report.qualifyingEvents
        return report
    }

    /// Maps a stored distinct_id to the id it is counted under (A28).
    private func userResolver(monthEnd: SimTime) -> (String) -> String {
        switch mtuSettings.userBasis {
        case .distinctIDAsSent: return { $0 }
        case .canonicalNow: return { [self] id in canonical(id) }
        case .canonicalAtMonthEnd:
            let graph = identity.withLock { $0.graph(before: monthEnd) }
            return { graph.canonical($0) }
        }
    }

    private static func source(of properties: String) -> String? {
        (try? JSONValue(parsing: properties))?["$source"]?.stringValue
    }

    /// The first instant of `month` and of the month after it.
    static func monthBounds(_ month: String) -> (SimTime, SimTime)? {
        let parts = month.split(separator: "-")
        guard month.count == 7, parts.count == 2, let year = Int(parts[0]), let number = Int(parts[1]),
              (1...12).contains(number), let start = SimTime(iso8601: month + "-01") else { return nil }
        let next = number == 12 ? "\(year + 1)-01" : "\(parts[0])-" + (number < 9 ? "0" : "") + String(number + 1)
        guard let end = SimTime(iso8601: next + "-01") else { return nil }
        return (start, end)
    }
}

import GRDB
import SimStorage
import SimCore

/// A run that started and was never recorded: the process died during it.
struct PendingRun: Sendable, Equatable {
    var number: Int64
    var syncID: Int64
    var trigger: RunTrigger
    var started: SimTime
    /// The last checkpoint it passed (`started`, or a ``CrashPoint`` raw value).
    var stage: String
    var stageAt: SimTime
    /// Requests made up to the last checkpoint.
    var mailchimpRequests = 0
    var mixpanelRequests = 0
}

extension SyncStore {
    // MARK: Skip list

    /// The audience's skip list: lower-cased address → reason.
    func skipList(audienceID: String) throws -> [String: String] {
        try queue.reading { db in
            var result: [String: String] = [:]
            for entry in try SkipListRecord.fetchAll(try db.cachedStatement(sql: "SELECT email_key, reason FROM skip_list WHERE audience_id = ?"), arguments: [audienceID]) {
                result[entry.emailKey] = entry.reason
            }
            return result
        }
    }

    // MARK: Merge fields

    func setMergeFields(sync id: Int64, _ tags: [String]) throws {
        try queue.write { db in
            try db.cachedStatement(sql: "UPDATE sync SET merge_fields = ? WHERE id = ?").execute(arguments: [Self.encodeList(tags), id])
        }
    }

    static func encodeList(_ items: [String]) -> String {
        JSONValue.array(items.map { .string($0) }).canonicalText
    }

    /// A list stored by ``encodeList(_:)``; anything else in the database is an error.
    static func decodeList(_ text: String) throws -> [String] {
        guard let items = (try JSONValue(parsing: text)).arrayValue else { throw EngineError("stored list is not a JSON array: \(text)") }
        return try items.map { item in
            guard let string = item.stringValue else { throw EngineError("stored list has a non-string item: \(text)") }
            return string
        }
    }

    // MARK: Pending runs

    /// Marks a run as started, before it writes anything to Mailchimp.
    func begin(run number: Int64, syncID: Int64, trigger: RunTrigger, at time: SimTime) throws {
        try queue.write { db in
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO pending_run (number, sync_id, trigger, started, stage, stage_at) VALUES (?, ?, ?, ?, 'started', ?)
                """).execute(arguments: [number, syncID, trigger.rawValue, time.milliseconds, time.milliseconds])
        }
    }

    /// Notes the last checkpoint a pending run passed, and the requests it had made by then.
    func advance(run number: Int64, to stage: String, at time: SimTime, requests: (mailchimp: Int, mixpanel: Int)) throws {
        try queue.write { db in
            try db.cachedStatement(sql: """
                UPDATE pending_run SET stage = ?, stage_at = ?, mailchimp_requests = ?, mixpanel_requests = ? WHERE number = ?
                """).execute(arguments: [stage, time.milliseconds, requests.mailchimp, requests.mixpanel, number])
        }
    }

    func pendingRuns() throws -> [PendingRun] {
        try queue.reading { db in
            try PendingRunRecord.fetchAll(try db.cachedStatement(sql: "SELECT * FROM pending_run ORDER BY number")).map { try $0.pendingRun() }
        }
    }

    // MARK: Engagement

    /// Activity up to this time has been imported for the audience.
    func engagementCursor(audienceID: String) throws -> SimTime? {
        try queue.reading { db in
            try Int64.fetchOne(try db.cachedStatement(sql: "SELECT imported_until FROM engagement_cursor WHERE audience_id = ?"), arguments: [audienceID])
                .map(SimTime.init(milliseconds:))
        }
    }

    /// The Mixpanel id an exported contact of the audience (any cohort; the oldest cohort id
    /// first) is attributed to, by lower-cased address; `nil` if the engine never exported it.
    func exportedID(audienceID: String, emailKey: String) throws -> String? {
        try queue.reading { db in
            try String.fetchOne(try db.cachedStatement(sql: """
                SELECT id FROM (
                    SELECT cohort_id, CASE WHEN mixpanel_id != '' THEN mixpanel_id ELSE distinct_id END AS id
                    FROM snapshot_member WHERE audience_id = ? AND email_key = ?)
                WHERE id != '' ORDER BY cohort_id LIMIT 1
                """), arguments: [audienceID, emailKey])
        }
    }

    /// Records an engagement import and, when it succeeded, moves the audience's cursor — atomically.
    func finish(engagement report: EngagementReport) throws -> EngagementReport {
        try queue.write { db in
            var report = report
            report.number = (try Int64.fetchOne(try db.cachedStatement(sql: "SELECT MAX(number) FROM engagement_run")) ?? 0) + 1
            try db.cachedStatement(sql: """
                INSERT INTO engagement_run (number, audience_id, started, finished, outcome, error, since, until, campaigns, events,
                                            imported, unattributed, refused, mailchimp_requests, mixpanel_requests)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [report.number, report.audienceID, report.started.milliseconds, report.finished.milliseconds,
                                 report.outcome.rawValue, report.error, report.since?.milliseconds, report.until.milliseconds,
                                 report.campaigns, Self.encode(report.events), report.imported, report.unattributed,
                                 report.refused, report.mailchimpRequests, report.mixpanelRequests])
            if report.outcome == .succeeded {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO engagement_cursor (audience_id, imported_until) VALUES (?, ?)").execute(arguments: [report.audienceID, report.until.milliseconds])
            }
            return report
        }
    }

    func engagementReports() throws -> [EngagementReport] {
        try queue.reading { db in
            try EngagementRunRecord.fetchAll(try db.cachedStatement(sql: "SELECT * FROM engagement_run ORDER BY number")).map { try $0.report() }
        }
    }
}

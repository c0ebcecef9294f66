import GRDB
import SimCore
import SimStorage

/// The engine's durable state: the Mailchimp connection, syncs, snapshots and run history.
/// All of the engine's SQL lives here; a run's snapshot and its record commit in one transaction.
struct SyncStore: Sendable {
    let queue: DatabaseQueue

    init(path: String?) throws {
        queue = try SQLiteDatabase.open(path: path, schema: "engine", migrations: Self.migrations)
        try RunStaging.createTemporaryTables(queue)
        // The snapshot commit's own scratch table (see RunStaging.createTemporaryTables for why once).
        try queue.write { db in try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS run_ended (email_key TEXT PRIMARY KEY) WITHOUT ROWID") }
    }

    /// The last snapshot of (`:cohort`, `:audience`) as (email_key, email, distinct_id,
    /// mixpanel_id): the baseline a run diffs against (``RunStaging/Baseline``).
    static let snapshotMembersSQL = "SELECT email_key, email, distinct_id, mixpanel_id FROM main.snapshot_member WHERE cohort_id = :cohort AND audience_id = :audience"

    // MARK: Connection

    func saveConnection(apiKey: String, dataCenter: String, at time: SimTime) throws {
        try queue.write { db in
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO connection (id, api_key, data_center, connected_at) VALUES (1, ?, ?, ?)").execute(arguments: [apiKey, dataCenter, time.milliseconds])
        }
    }

    func connection() throws -> (apiKey: String, dataCenter: String)? {
        try queue.reading { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT api_key, data_center FROM connection WHERE id = 1"))
                .map { ($0["api_key"], $0["data_center"]) }
        }
    }

    func deleteConnection() throws {
        try queue.write { db in try db.execute(sql: "DELETE FROM connection") }
    }

    // MARK: Syncs

    func createSync(cohortID: Int64, audienceID: String, mode: ExportMode, tagName: String, at time: SimTime) throws -> Int64 {
        try queue.write { db in
            try db.cachedStatement(sql: """
                INSERT INTO sync_event (sync_id, at, state, reason)
                SELECT id, ?, 'stopped', 'replaced by a newer export' FROM sync
                WHERE cohort_id = ? AND audience_id = ? AND state IN ('active', 'paused') ORDER BY id
                """).execute(arguments: [time.milliseconds, cohortID, audienceID])
            try db.cachedStatement(sql: """
                UPDATE sync SET state = 'stopped', reason = 'replaced by a newer export', next_run = NULL
                WHERE cohort_id = ? AND audience_id = ? AND state IN ('active', 'paused')
                """).execute(arguments: [cohortID, audienceID])
            let previousTag = try Row.fetchOne(try db.cachedStatement(sql: """
                SELECT tag_name, tag_id FROM sync WHERE cohort_id = ? AND audience_id = ? AND tag_id IS NOT NULL
                ORDER BY id DESC LIMIT 1
                """), arguments: [cohortID, audienceID])
            try db.cachedStatement(sql: """
                INSERT INTO sync (cohort_id, audience_id, mode, state, tag_name, tag_id, next_run, created)
                VALUES (?, ?, ?, 'active', ?, ?, NULL, ?)
                """).execute(arguments: [cohortID, audienceID, mode.rawValue, previousTag?["tag_name"] ?? tagName,
                                 previousTag?["tag_id"] as Int64?, time.milliseconds])
            let id = db.lastInsertedRowID
            try Self.noteStateChange(db, sync: id, state: .active, reason: "export created", at: time)
            return id
        }
    }

    func sync(_ id: Int64) throws -> SyncInfo? {
        try queue.reading { db in try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM sync WHERE id = ?"), arguments: [id]).map { try SyncRecord(row: $0).info() } }
    }

    func syncs() throws -> [SyncInfo] {
        try queue.reading { db in try SyncRecord.fetchAll(try db.cachedStatement(sql: "SELECT * FROM sync ORDER BY id")).map { try $0.info() } }
    }

    func setTag(sync id: Int64, tagID: Int64, name: String) throws {
        try queue.write { db in
            try db.cachedStatement(sql: "UPDATE sync SET tag_id = ?, tag_name = ? WHERE id = ?").execute(arguments: [tagID, name, id])
        }
    }

    /// Sets a sync's state and next run; a change of state (or of its reason) is also noted in
    /// the sync's history at `time`, with the state's reason, else `cause`.
    func setState(sync id: Int64, _ state: SyncState, nextRun: SimTime?, at time: SimTime, cause: String = "") throws {
        let (name, reason) = (state.kind.rawValue, state.reason)
        try queue.write { db in
            let old = try Row.fetchOne(try db.cachedStatement(sql: "SELECT state, reason FROM sync WHERE id = ?"), arguments: [id])
            try db.cachedStatement(sql: "UPDATE sync SET state = ?, reason = ?, next_run = ? WHERE id = ?").execute(arguments: [name, reason, nextRun?.milliseconds, id])
            if let old, old["state"] != name || old["reason"] != reason {
                try Self.noteStateChange(db, sync: id, state: state.kind, reason: reason.isEmpty ? cause : reason, at: time)
            }
        }
    }

    /// After a run whose record failed: a dynamic sync still active gets its next run, a one-time
    /// sync still active is finished. A sync stopped or paused meanwhile is left as it is.
    func settleActive(sync id: Int64, mode: ExportMode, nextRun: SimTime, at time: SimTime) throws {
        try queue.write { db in
            switch mode {
            case .dynamic:
                try db.cachedStatement(sql: "UPDATE sync SET next_run = ? WHERE id = ? AND state = 'active'").execute(arguments: [nextRun.milliseconds, id])
            case .oneTime:
                try db.cachedStatement(sql: "UPDATE sync SET state = 'finished', next_run = NULL WHERE id = ? AND state = 'active'").execute(arguments: [id])
                if db.changesCount > 0 { try Self.noteStateChange(db, sync: id, state: .finished, reason: "", at: time) }
            }
        }
    }

    /// Stops every active or paused sync (disconnection).
    func stopAll(reason: String, at time: SimTime) throws {
        try queue.write { db in
            try db.cachedStatement(sql: """
                INSERT INTO sync_event (sync_id, at, state, reason)
                SELECT id, ?, 'stopped', ? FROM sync WHERE state IN ('active', 'paused') ORDER BY id
                """).execute(arguments: [time.milliseconds, reason])
            try db.cachedStatement(sql: "UPDATE sync SET state = 'stopped', reason = ?, next_run = NULL WHERE state IN ('active', 'paused')").execute(arguments: [reason])
        }
    }

    // MARK: Snapshots

    /// When the last successful snapshot for (cohort, audience) was taken, if there is one.
    func snapshotTime(cohortID: Int64, audienceID: String) throws -> SimTime? {
        try queue.reading { db in
            try Int64.fetchOne(try db.cachedStatement(sql: "SELECT taken_at FROM snapshot WHERE cohort_id = ? AND audience_id = ?"),
                               arguments: [cohortID, audienceID]).map(SimTime.init(milliseconds:))
        }
    }

    /// Next run number (1-based, in order of start), counting runs still pending.
    func nextRunNumber() throws -> Int64 {
        try queue.reading { db in
            let recorded = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT MAX(number) FROM run")) ?? 0
            let pending = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT MAX(number) FROM pending_run")) ?? 0
            return max(recorded, pending) + 1
        }
    }

    /// Which per-member changes a run records from ``RunStaging``.
    enum RecordedChanges: Sendable, Equatable {
        /// None (the run never read the cohort, or was interrupted).
        case none
        /// The ineligible members only (the run failed after reading the cohort).
        case skips
        /// Every change, against the run's baseline (the run got as far as its plan).
        case all(RunStaging.Baseline)
    }

    /// Records a run and its per-member changes and, with `commit` (it succeeded), makes the staged
    /// outcome the new snapshot and applies its skip-list changes — atomically, together with
    /// clearing the run's pending marker. The snapshot is updated in place: members who left are
    /// deleted, new or changed members written, the unchanged majority untouched.
    func finish(run report: RunReport, cohortID: Int64, audienceID: String, changes: RecordedChanges = .none,
                commit: Bool = false) throws {
        try queue.write { db in
            try db.cachedStatement(sql: "DELETE FROM pending_run WHERE number = ?").execute(arguments: [report.number])
            try db.cachedStatement(sql: """
                INSERT INTO run (number, sync_id, trigger, started, finished, outcome, error, full_reconcile, cohort_size,
                                 exported, added, removed, unchanged, skipped, rejected, mailchimp_requests, mixpanel_requests,
                                 slot, slots_skipped)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [report.number, report.syncID, report.trigger.rawValue, report.started.milliseconds,
                                 report.finished.milliseconds, report.outcome.rawValue, report.error, report.fullReconcile,
                                 report.cohortSize, report.exported, report.added, report.removed, report.unchanged,
                                 Self.encode(report.skipped), Self.encode(report.rejected), report.mailchimpRequests,
                                 report.mixpanelRequests, report.slot?.milliseconds, report.slotsSkipped])
            switch changes {
            case .none: break
            case .skips: try Self.recordChanges(db, number: report.number, parts: RunStaging.changeParts(skipsOnly: true))
            case .all:
                // A committed run's no-ops are derived from the snapshot versions (see v4), not stored.
                try Self.recordChanges(db, number: report.number, parts: RunStaging.changeParts(skipsOnly: false, noOps: !commit))
            }
            guard commit, case .all(let baseline) = changes else { return }
            try Self.commitSnapshot(db, number: report.number, started: report.started, cohortID: cohortID, audienceID: audienceID,
                                    fromSnapshot: baseline != .staged)
        }
    }

    /// Makes the run's outcome the new snapshot, and applies its skip-list changes.
    ///
    /// A member's version ends when it leaves, when its ids or address change, or when it is
    /// tagged again (it was missing from the tag on a full reconcile). When the run diffed against
    /// the snapshot itself, those are exactly the removes and the `changed` candidates, read
    /// through indices; after a full reconcile every member is compared.
    private static func commitSnapshot(_ db: Database, number: Int64, started: SimTime, cohortID: Int64, audienceID: String,
                                       fromSnapshot: Bool) throws {
        // The staging tables are RunStaging's: only its sub-selects name their columns.
        let ended = fromSnapshot ? RunStaging.Outcome.removedOrChangedKeys : """
            SELECT s.email_key FROM snapshot_member s
            WHERE s.cohort_id = :cohort AND s.audience_id = :audience AND NOT EXISTS (
                SELECT 1 FROM (\(RunStaging.Outcome.keptVersions)) c WHERE c.email_key = s.email_key
                    AND c.email = s.email AND c.distinct_id = s.distinct_id AND c.mixpanel_id = s.mixpanel_id)
            """
        let versions = fromSnapshot ? RunStaging.Outcome.newOrChangedVersions : """
            SELECT * FROM (\(RunStaging.Outcome.addedVersions)) c WHERE NOT EXISTS (
                SELECT 1 FROM snapshot_member s WHERE s.cohort_id = :cohort AND s.audience_id = :audience AND s.email_key = c.email_key)
            """
        // One statement at a time through the statement cache: a run commits several of these.
        let statements = [
            """
            UPDATE run SET noops_derived = 1, cohort_id = :cohort, audience_id = :audience WHERE number = :number
            """,
            """
            DELETE FROM skip_list WHERE audience_id = :audience
            AND email_key IN (\(RunStaging.Outcome.newAddKeys))
            """,
            """
            INSERT OR REPLACE INTO skip_list (audience_id, email_key, email, reason, recorded_at)
            SELECT :audience, email_key, email, reason, :started FROM (\(RunStaging.Outcome.newSkips)) ORDER BY email_key
            """,
            """
            DELETE FROM temp.run_ended
            """,
            """
            INSERT INTO temp.run_ended (email_key) \(ended)
            """,
            """
            INSERT INTO snapshot_departure (cohort_id, audience_id, email_key, email, distinct_id, mixpanel_id, since_run, added, until_run)
            SELECT s.cohort_id, s.audience_id, s.email_key, s.email, s.distinct_id, s.mixpanel_id, s.since_run, s.added, :number
            FROM temp.run_ended e CROSS JOIN snapshot_member s
            WHERE s.cohort_id = :cohort AND s.audience_id = :audience AND s.email_key = e.email_key ORDER BY s.email_key
            """,
            """
            DELETE FROM snapshot_member WHERE cohort_id = :cohort AND audience_id = :audience
            AND email_key IN (SELECT email_key FROM temp.run_ended)
            """,
            """
            INSERT INTO snapshot_member (cohort_id, audience_id, email_key, email, distinct_id, mixpanel_id, since_run, added)
            SELECT :cohort, :audience, c.email_key, c.email, c.distinct_id, c.mixpanel_id, :number, 1 - c.in_baseline
            FROM (\(versions)) c ORDER BY c.email_key
            """,
            """
            INSERT OR REPLACE INTO snapshot (cohort_id, audience_id, taken_at) VALUES (:cohort, :audience, :started)
            """,
        ]
        let arguments: StatementArguments = ["cohort": cohortID, "audience": audienceID, "started": started.milliseconds, "number": number]
        for sql in statements { try db.cachedStatement(sql: sql).execute(arguments: arguments) }
    }

    /// Copies a change list (``RunStaging/changeParts(skipsOnly:noOps:)``) into `run_member`,
    /// numbered in its order (one sorted insert per part: cheaper than sorting their union).
    private static func recordChanges(_ db: Database, number: Int64, parts: [String]) throws {
        var base = 0
        for part in parts {
            let all: StatementArguments = ["number": number, "base": base]
            try db.cachedStatement(sql: """
                INSERT INTO run_member (number, seq, action, distinct_id, email, reason)
                SELECT :number, :base + ROW_NUMBER() OVER (ORDER BY sort_key) - 1, action, distinct_id, email, reason FROM (\(part))
                """).execute(arguments: all)
            base += db.changesCount
        }
    }

    /// Every recorded run, oldest first; with `includingChanges`, each with its per-member change list.
    func runs(includingChanges: Bool = false) throws -> [RunReport] {
        try queue.reading { db in
            try RunRecord.fetchAll(try db.cachedStatement(sql: "SELECT * FROM run ORDER BY number")).map { record in
                var report = try record.report()
                if includingChanges { report.changes = try Self.changes(db, run: report.number) }
                return report
            }
        }
    }

    /// One run's per-member change list: skips, adds and refusals, no-ops, removes.
    func changes(run number: Int64) throws -> [MemberChange] {
        try queue.reading { db in try Self.changes(db, run: number) }
    }

    private static func changes(_ db: Database, run number: Int64) throws -> [MemberChange] {
        func members(_ statement: Statement, _ arguments: StatementArguments) throws -> [MemberChange] {
            try MemberChangeRecord.fetchAll(statement, arguments: arguments).map { try $0.change() }
        }
        let recorded = try members(try db.cachedStatement(sql: "SELECT * FROM run_member WHERE number = ? ORDER BY seq"), [number])
        guard let run = try Row.fetchOne(try db.cachedStatement(sql: "SELECT noops_derived, cohort_id, audience_id FROM run WHERE number = ?"),
                                         arguments: [number]), run["noops_derived"] as Bool else { return recorded }
        let noOps = try members(try db.cachedStatement(sql: """
            SELECT 'no-op' AS action, distinct_id, email, '' AS reason FROM (
                SELECT email_key, distinct_id, email FROM snapshot_member
                WHERE cohort_id = :cohort AND audience_id = :audience AND since_run <= :number AND NOT (since_run = :number AND added = 1)
                UNION ALL
                SELECT email_key, distinct_id, email FROM snapshot_departure
                WHERE cohort_id = :cohort AND audience_id = :audience AND since_run <= :number AND until_run > :number
                    AND NOT (since_run = :number AND added = 1))
            ORDER BY email_key
            """), ["cohort": run["cohort_id"] as Int64?, "audience": run["audience_id"] as String?, "number": number])
        let removes = recorded.filter { $0.action == .remove }
        return recorded.filter { $0.action != .remove } + noOps + removes
    }

    static func encode(_ counts: [String: Int]) -> String {
        JSONValue.object(counts.mapValues { .int(Int64($0)) }).canonicalText
    }

    /// Counts stored by ``encode(_:)``; anything else in the database is an error.
    static func decode(_ text: String) throws -> [String: Int] {
        guard let object = (try JSONValue(parsing: text)).objectValue else {
            throw EngineError("stored counts are not a JSON object: \(text)")
        }
        return try object.mapValues { value in
            guard let count = value.intValue else { throw EngineError("stored count is not an integer: \(text)") }
            return Int(count)
        }
    }
}

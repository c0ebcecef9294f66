import GRDB
import SimStorage
import SimCore
import Synchronization

/// A run's working set, kept in SQLite temporary tables so that a run's memory is bounded by the
/// page size (a few `/engage` pages, 500 contacts per write), not by the size of the cohort.
///
/// The cohort's `/engage` pages are appended as they arrive (``add(_:)``); an address staged twice
/// keeps the smaller distinct_id (A47), whatever the page order; the plan marks candidates against
/// the baseline — the stored snapshot, or the tag's members read from Mailchimp — and the run's
/// writes are streamed out of it in key order, 500 at a time. Temporary tables belong to the
/// engine's single connection and vanish with the process: a crashed run leaves nothing to clean,
/// and a dry run (``ExportEngine/previewExport(cohortID:audienceID:)``) writes nothing durable.
struct RunStaging: Sendable {
    let queue: DatabaseQueue

    /// Where a run's baseline comes from.
    enum Baseline: Sendable, Equatable {
        /// The last successful snapshot of (cohort, audience).
        case snapshot(cohortID: Int64, audienceID: String)
        /// Addresses staged with ``stageBaseline(_:)`` (the tag's members on Mailchimp, or none).
        case staged

        /// A sub-select of (email_key, email, distinct_id, mixpanel_id).
        var sql: String {
            switch self {
            case .snapshot: SyncStore.snapshotMembersSQL
            case .staged: "SELECT email_key, email, distinct_id, mixpanel_id FROM temp.run_baseline"
            }
        }

        var arguments: StatementArguments {
            switch self {
            case .snapshot(let cohort, let audience): ["cohort": cohort, "audience": audience]
            case .staged: [:]
            }
        }
    }

    /// One contact to create or tag: a row of `temp.run_candidate` or `temp.run_remove` (the
    /// latter without names).
    struct Contact: Sendable, Equatable, FetchableRecord {
        enum Columns {
            static let key = Column("email_key"), email = Column("email")
            static let firstName = Column("first_name"), lastName = Column("last_name")
        }

        var key: String
        var email: String
        var firstName: String?
        var lastName: String?

        init(key: String, email: String, firstName: String? = nil, lastName: String? = nil) {
            self.key = key
            self.email = email
            self.firstName = firstName
            self.lastName = lastName
        }

        init(row: Row) {
            key = row[Columns.key]
            email = row[Columns.email]
            firstName = row.hasColumn("first_name") ? row[Columns.firstName] : nil
            lastName = row.hasColumn("last_name") ? row[Columns.lastName] : nil
        }
    }

    /// Counts for the run's report.
    struct Counts: Sendable, Equatable {
        var added = 0
        var unchanged = 0
        var removed = 0
        var skipped: [String: Int] = [:]
        var rejected: [String: Int] = [:]
    }

    /// Creates the temporary tables on the store's connection, once, when the store opens.
    ///
    /// Not on every run: SQLite reports `CREATE TEMP TABLE IF NOT EXISTS` as a schema change
    /// even when the table exists, and GRDB then drops every cached statement, so each run
    /// re-prepared all of its SQL (docs/performance.md).
    static func createTemporaryTables(_ queue: DatabaseQueue) throws {
        try queue.write { db in
            try db.execute(sql: """
                CREATE TEMP TABLE IF NOT EXISTS run_skip (
                    distinct_id TEXT NOT NULL, email TEXT NOT NULL, reason TEXT NOT NULL);
                CREATE TEMP TABLE IF NOT EXISTS run_baseline (
                    email_key TEXT PRIMARY KEY, email TEXT NOT NULL, distinct_id TEXT NOT NULL,
                    mixpanel_id TEXT NOT NULL) WITHOUT ROWID;
                CREATE TEMP TABLE IF NOT EXISTS run_candidate (
                    email_key TEXT PRIMARY KEY, email TEXT NOT NULL, distinct_id TEXT NOT NULL, mixpanel_id TEXT NOT NULL,
                    first_name TEXT, last_name TEXT,
                    in_baseline INTEGER NOT NULL DEFAULT 1,
                    existing INTEGER NOT NULL DEFAULT 0,
                    action TEXT NOT NULL DEFAULT 'add',
                    remembered INTEGER NOT NULL DEFAULT 0,
                    count_key TEXT NOT NULL DEFAULT '',
                    reason TEXT NOT NULL DEFAULT '',
                    changed INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS temp.run_candidate_new ON run_candidate (email_key) WHERE in_baseline = 0;
                CREATE INDEX IF NOT EXISTS temp.run_candidate_changed ON run_candidate (email_key) WHERE changed = 1;
                CREATE TEMP TABLE IF NOT EXISTS run_remove (
                    email_key TEXT PRIMARY KEY, email TEXT NOT NULL, distinct_id TEXT NOT NULL) WITHOUT ROWID;
                """)
        }
    }

    /// A run's outcome as sub-selects over the staging tables, for the store's snapshot commit
    /// (one transaction with the run's record): only this type names the staging columns.
    enum Outcome {
        /// Addresses the run creates (not in the baseline, not refused): (email_key).
        static let newAddKeys = "SELECT email_key FROM temp.run_candidate WHERE in_baseline = 0 AND action = 'add'"
        /// New skips to remember on the audience's skip list: (email_key, email, reason).
        static let newSkips = "SELECT email_key, email, count_key AS reason FROM temp.run_candidate WHERE in_baseline = 0 AND action = 'skip' AND remembered = 0"
        /// Baseline members that left or changed: (email_key).
        static let removedOrChangedKeys = "SELECT email_key FROM temp.run_remove UNION ALL SELECT email_key FROM temp.run_candidate WHERE changed = 1"
        /// Members kept from the baseline as they were: (email_key, email, distinct_id, mixpanel_id).
        static let keptVersions = "SELECT email_key, email, distinct_id, mixpanel_id FROM temp.run_candidate WHERE action = 'add' AND in_baseline = 1"
        /// Every member the tag holds after the run: (email_key, email, distinct_id, mixpanel_id, in_baseline).
        static let addedVersions = "SELECT email_key, email, distinct_id, mixpanel_id, in_baseline FROM temp.run_candidate WHERE action = 'add'"
        /// Members created or changed by the run: (email_key, email, distinct_id, mixpanel_id, in_baseline).
        static let newOrChangedVersions = """
            SELECT email_key, email, distinct_id, mixpanel_id, in_baseline FROM temp.run_candidate WHERE in_baseline = 0 AND action = 'add'
            UNION ALL SELECT email_key, email, distinct_id, mixpanel_id, in_baseline FROM temp.run_candidate WHERE changed = 1
            """
    }

    /// Empties the temporary tables.
    func reset() throws {
        try queue.write { db in
            for table in ["run_skip", "run_baseline", "run_candidate", "run_remove"] {
                try db.cachedStatement(sql: "DELETE FROM temp.\(table)").execute()
            }
        }
    }

    // MARK: Reading the cohort

    /// Appends `/engage` profiles: ineligible members become skips, the rest candidates. An
    /// address already staged keeps the smaller distinct_id (A47); the other becomes a
    /// `duplicate-email` skip, whatever order the pages come in.
    ///
    /// The work happens on the database's own queue and this returns at once, so that the caller
    /// reads its next pages while the profiles are classified and written on the other core. At
    /// most one batch is in flight: each call first waits for the previous one.
    /// ``finishAdding(_:)`` waits for the last and rethrows the first failure. The database queue
    /// is serial, so every later access sees the staged rows, in the order they were added.
    func addInBackground(_ profiles: [EngageProfile], _ failures: StagingFailures) throws {
        try finishAdding(failures)
        queue.asyncWrite({ db in try Self.stage(profiles, db: db) }, completion: { _, result in
            if case .failure(let error) = result { failures.record(error) }
        })
    }

    /// Waits for the batch ``addInBackground(_:_:)`` started, and rethrows its failure.
    func finishAdding(_ failures: StagingFailures) throws {
        try queue.reading { _ in }
        try failures.rethrow()
    }

    /// Classifies `profiles` and writes them: skips to `run_skip`, candidates to `run_candidate`.
    private static func stage(_ profiles: [EngageProfile], db: Database) throws {
        var candidates: [ExportCandidate] = []
        candidates.reserveCapacity(profiles.count)
        let skip = try db.cachedStatement(sql: "INSERT INTO temp.run_skip (distinct_id, email, reason) VALUES (?, ?, ?)")
        for profile in profiles {
            switch Eligibility.classify(profile) {
            case .skip(let reason, let email): try skip.execute(arguments: [profile.distinctID, email, reason.rawValue])
            case .candidate(let candidate): candidates.append(candidate)
            }
        }
        for start in stride(from: 0, to: candidates.count, by: rowsPerInsert) {
            try insert(candidates[start..<min(candidates.count, start + rowsPerInsert)], db: db, skip: skip)
        }
    }

    /// Candidates written per `INSERT` statement (6 values each).
    static let rowsPerInsert = 100

    /// Inserts candidates with one statement; when some address was already staged (or repeats
    /// within `batch`), resolves those one by one.
    private static func insert(_ batch: ArraySlice<ExportCandidate>, db: Database, skip: Statement) throws {
        let values = Array(repeating: "(?, ?, ?, ?, ?, ?)", count: batch.count).joined(separator: ", ")
        var arguments: [(any DatabaseValueConvertible)?] = []
        arguments.reserveCapacity(batch.count * 6)
        for c in batch { arguments += [c.key, c.email, c.distinctID, c.mixpanelID, c.firstName, c.lastName] }
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO temp.run_candidate (email_key, email, distinct_id, mixpanel_id, first_name, last_name) VALUES \(values)
            """).execute(arguments: StatementArguments(arguments))
        guard db.changesCount < batch.count else { return }
        let stored = try db.cachedStatement(sql: "SELECT distinct_id FROM temp.run_candidate WHERE email_key = ?")
        for candidate in batch where try String.fetchOne(stored, arguments: [candidate.key]) != candidate.distinctID {
            try resolveDuplicate(candidate, db: db, skip: skip)
        }
    }

    /// A candidate whose address is already staged: the smaller distinct_id keeps it.
    private static func resolveDuplicate(_ candidate: ExportCandidate, db: Database, skip: Statement) throws {
        guard let staged = try Row.fetchOne(try db.cachedStatement(sql: "SELECT distinct_id, email FROM temp.run_candidate WHERE email_key = ?"),
                                            arguments: [candidate.key]) else { return }
        let stagedID: String = staged["distinct_id"]
        guard candidate.distinctID < stagedID else {
            try skip.execute(arguments: [candidate.distinctID, candidate.email, SkipReason.duplicateEmail.rawValue])
            return
        }
        try skip.execute(arguments: [stagedID, staged["email"] as String, SkipReason.duplicateEmail.rawValue])
        try db.cachedStatement(sql: """
            UPDATE temp.run_candidate SET email = ?, distinct_id = ?, mixpanel_id = ?, first_name = ?, last_name = ? WHERE email_key = ?
            """).execute(arguments: [candidate.email, candidate.distinctID, candidate.mixpanelID, candidate.firstName,
                                     candidate.lastName, candidate.key])
    }

    /// The cohort's skips so far, by reason.
    func skipCounts() throws -> [String: Int] {
        try queue.reading { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT reason, COUNT(*) AS n FROM temp.run_skip GROUP BY reason")) {
                counts[row["reason"]] = row["n"]
            }
            return counts
        }
    }

    /// Stages baseline addresses read from Mailchimp (lower-cased key → address as Mailchimp has it).
    func stageBaseline(_ emails: [String]) throws {
        try queue.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO temp.run_baseline (email_key, email, distinct_id, mixpanel_id) VALUES (?, ?, '', '')
                """)
            for email in emails { try statement.execute(arguments: [email.lowercased(), email]) }
        }
    }

    // MARK: Planning

    /// Keeps one candidate per address and marks those already in the baseline (no-ops), and
    /// those whose address or ids differ from the baseline's (`changed`); stages the baseline
    /// members who left (`run_remove`). With `skipListOf`, adds on the audience's skip list are
    /// skipped as remembered. The two passes over the cohort happen here; everything later reads
    /// the adds, the changed and the removes through indices, so a re-sync with little churn
    /// costs little beyond reading the cohort.
    func plan(against baseline: Baseline, skipListOf audienceID: String?) throws {
        try queue.write { db in
            // Candidates start as no-ops; only those not in the baseline exactly as staged are rewritten.
            try db.cachedStatement(sql: """
                UPDATE temp.run_candidate AS c
                SET in_baseline = EXISTS (SELECT 1 FROM (\(baseline.sql)) b WHERE b.email_key = c.email_key),
                    changed = EXISTS (SELECT 1 FROM (\(baseline.sql)) b WHERE b.email_key = c.email_key)
                WHERE NOT EXISTS (
                    SELECT 1 FROM (\(baseline.sql)) b WHERE b.email_key = c.email_key AND b.email = c.email
                        AND b.distinct_id = c.distinct_id AND b.mixpanel_id = c.mixpanel_id)
                """).execute(arguments: baseline.arguments)
            try db.cachedStatement(sql: """
                INSERT INTO temp.run_remove (email_key, email, distinct_id)
                SELECT b.email_key, b.email, b.distinct_id FROM (\(baseline.sql)) b
                WHERE NOT EXISTS (SELECT 1 FROM temp.run_candidate c WHERE c.email_key = b.email_key)
                """).execute(arguments: baseline.arguments)
            guard let audienceID else { return }
            // Driven by the adds (the partial index), not by the skip list: a long skip list must
            // not make every re-sync probe the whole cohort.
            try db.cachedStatement(sql: """
                UPDATE temp.run_candidate AS c SET action = 'skip', remembered = 1,
                    count_key = (SELECT s.reason FROM main.skip_list s WHERE s.audience_id = :audience AND s.email_key = c.email_key),
                    reason = (SELECT s.reason || ' (skip list)' FROM main.skip_list s WHERE s.audience_id = :audience AND s.email_key = c.email_key)
                WHERE c.in_baseline = 0
                    AND EXISTS (SELECT 1 FROM main.skip_list s WHERE s.audience_id = :audience AND s.email_key = c.email_key)
                """).execute(arguments: ["audience": audienceID])
        }
    }

    /// Whether some contact still to be created has a first or last name.
    func addsHaveNames() throws -> Bool {
        try queue.reading { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM temp.run_candidate WHERE in_baseline = 0 AND action = 'add'
                               AND (first_name IS NOT NULL OR last_name IS NOT NULL))
                """) ?? false
        }
    }

    /// Up to `limit` contacts to create, after `key`, in key order (adds not refused so far).
    func adds(after key: String, limit: Int) throws -> [Contact] {
        try queue.reading { db in
            try Contact.fetchAll(try db.cachedStatement(sql: """
                SELECT email_key, email, first_name, last_name FROM temp.run_candidate
                WHERE in_baseline = 0 AND action = 'add' AND email_key > ? ORDER BY email_key LIMIT ?
                """), arguments: [key, limit])
        }
    }

    /// Up to `limit` baseline addresses that left the cohort, after `key`, in key order.
    func removes(after key: String, limit: Int) throws -> [Contact] {
        try queue.reading { db in
            try Contact.fetchAll(try db.cachedStatement(sql: """
                SELECT email_key, email FROM temp.run_remove WHERE email_key > ? ORDER BY email_key LIMIT ?
                """), arguments: [key, limit])
        }
    }

    // MARK: Outcomes

    /// Records contacts that already existed (they are checked for compliance statuses next).
    func markExisting(_ keys: [String]) throws {
        try queue.write { db in
            let statement = try db.cachedStatement(sql: "UPDATE temp.run_candidate SET existing = 1 WHERE email_key = ?")
            for key in keys { try statement.execute(arguments: [key]) }
        }
    }

    /// Records refusals: lower-cased address → refusal. Only adds not refused before are changed.
    func refuse(_ refusals: [String: SyncRun.Refusal]) throws {
        try queue.write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE temp.run_candidate SET action = ?, count_key = ?, reason = ?
                WHERE email_key = ? AND in_baseline = 0 AND remembered = 0
                """)
            for key in refusals.keys.sorted() {
                let (skipKey, rejectKey, reason) = SyncRun.describe(refusals[key]!)
                let action: MemberChange.Action = skipKey != nil ? .skip : .reject
                try statement.execute(arguments: [action.rawValue, skipKey ?? rejectKey ?? "", reason, key])
            }
        }
    }

    /// Addresses of existing contacts among the adds (all adds not refused, with `includeNew`).
    func existingKeys(includeNew: Bool) throws -> [String] {
        try queue.reading { db in
            try String.fetchAll(db, sql: """
                SELECT email FROM temp.run_candidate
                WHERE in_baseline = 0 AND remembered = 0 AND (existing = 1 OR ?) ORDER BY email_key
                """, arguments: [includeNew])
        }
    }

    /// The number of adds that already existed (all adds not remembered, with `includeNew`).
    func existingCount(includeNew: Bool) throws -> Int {
        try queue.reading { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM temp.run_candidate WHERE in_baseline = 0 AND remembered = 0 AND (existing = 1 OR ?)
                """, arguments: [includeNew]) ?? 0
        }
    }

    /// Which of `keys` are existing adds (all adds not remembered, with `includeNew`).
    func existingAmong(_ keys: [String], includeNew: Bool) throws -> [String] {
        try queue.reading { db in
            let statement = try db.cachedStatement(sql: """
                SELECT 1 FROM temp.run_candidate WHERE email_key = ? AND in_baseline = 0 AND remembered = 0 AND (existing = 1 OR ?)
                """)
            return try keys.filter { try Bool.fetchOne(statement, arguments: [$0, includeNew]) ?? false }
        }
    }

    /// The run's counts.
    func counts() throws -> Counts {
        try queue.reading { db in
            var counts = Counts()
            for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT reason, COUNT(*) AS n FROM temp.run_skip GROUP BY reason")) {
                counts.skipped[row["reason"]] = row["n"]
            }
            var new = 0
            for row in try Row.fetchAll(db, sql: """
                SELECT action, count_key, COUNT(*) AS n FROM temp.run_candidate WHERE in_baseline = 0 GROUP BY action, count_key
                """) {
                let n: Int = row["n"]
                new += n
                let action: MemberChange.Action = try SyncStore.domainValue(row["action"], column: "run_candidate.action")
                switch action {
                case .add: counts.added += n
                case .skip: counts.skipped[row["count_key"], default: 0] += n
                case .reject: counts.rejected[row["count_key"], default: 0] += n
                case .remove, .noop: throw EngineError("run_candidate.action '\(action.rawValue)' is not a candidate's action")
                }
            }
            counts.unchanged = (try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM temp.run_candidate")) ?? 0) - new
            counts.removed = try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM temp.run_remove")) ?? 0
            return counts
        }
    }

    /// The per-member change list as SQL, in the order it is recorded: each part selects
    /// (sort_key, action, distinct_id, email, reason). Skips come first (by distinct_id), then
    /// adds and refusals, no-ops and removes (by address). Without `noOps`, the no-op part is left
    /// out (a committed run derives it from the snapshot).
    static func changeParts(skipsOnly: Bool, noOps: Bool = true) -> [String] {
        let skips = "SELECT distinct_id AS sort_key, 'skip' AS action, distinct_id, email, reason FROM temp.run_skip"
        if skipsOnly { return [skips] }
        return [
            skips,
            "SELECT email_key AS sort_key, action, distinct_id, email, reason FROM temp.run_candidate WHERE in_baseline = 0",
        ] + (noOps ? ["SELECT email_key AS sort_key, 'no-op' AS action, distinct_id, email, '' AS reason FROM temp.run_candidate WHERE in_baseline = 1"] : []) + [
            "SELECT email_key AS sort_key, 'remove' AS action, distinct_id, email, '' AS reason FROM temp.run_remove",
        ]
    }

    /// The per-member change list (for a dry run, which records nothing).
    func changes() throws -> [MemberChange] {
        try queue.reading { db in
            try Self.changeParts(skipsOnly: false).flatMap { part in
                try MemberChangeRecord.fetchAll(try db.cachedStatement(sql: "SELECT * FROM (\(part)) ORDER BY sort_key")).map { try $0.change() }
            }
        }
    }
}

/// The first failure of a background staging write, kept until the run looks for it.
final class StagingFailures: Sendable {
    private let first = Mutex<(any Error)?>(nil)

    func record(_ error: any Error) {
        first.withLock { if $0 == nil { $0 = error } }
    }

    func rethrow() throws {
        if let error = first.withLock({ $0 }) { throw error }
    }
}

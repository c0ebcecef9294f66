import GRDB
import SimStorage
import SimCore

/// The last successful snapshot of one (cohort, audience) pair, as the engine stored it: when it
/// was taken and the lower-cased addresses it holds.
public struct SnapshotSummary: Sendable, Equatable {
    public var takenAt: SimTime
    public var keys: [String]
}

extension ExportEngine {
    /// The stored snapshot of `cohortID` → `audienceID`, or `nil` before the first successful run.
    /// Read-only; for checks that compare what the engine believes with what Mailchimp holds.
    public func snapshot(cohortID: Int64, audienceID: String) throws -> SnapshotSummary? {
        guard let takenAt = try store.snapshotTime(cohortID: cohortID, audienceID: audienceID) else { return nil }
        let keys = try store.queue.reading { db in
            try String.fetchAll(try db.cachedStatement(sql: "SELECT email_key FROM snapshot_member WHERE cohort_id = ? AND audience_id = ? ORDER BY email_key"),
                                arguments: [cohortID, audienceID])
        }
        return SnapshotSummary(takenAt: takenAt, keys: keys)
    }
}

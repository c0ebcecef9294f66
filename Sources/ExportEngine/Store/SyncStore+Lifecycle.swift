import GRDB
import SimStorage
import SimCore

/// A sync's history of states: one row per change, with its reason (table `sync_event`).
extension SyncStore {
    static func noteStateChange(_ db: Database, sync id: Int64, state: SyncState.Kind, reason: String, at time: SimTime) throws {
        try db.cachedStatement(sql: "INSERT INTO sync_event (sync_id, at, state, reason) VALUES (?, ?, ?, ?)")
            .execute(arguments: [id, time.milliseconds, state.rawValue, reason])
    }

    /// A stored domain value (state, mode, trigger, outcome, action): a raw value the engine
    /// does not know is an error naming the column, never a default.
    static func domainValue<T: RawRepresentable>(_ raw: String, column: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: raw) else { throw EngineError("unknown \(column) '\(raw)' in the engine's database") }
        return value
    }

    /// Every state change of every sync, in the order they happened.
    func stateChanges() throws -> [SyncStateChange] {
        try queue.reading { db in
            try SyncEventRecord.fetchAll(try db.cachedStatement(sql: "SELECT * FROM sync_event ORDER BY seq")).map { try $0.change() }
        }
    }

    /// Makes the dynamic syncs that disconnecting stopped active again (reconnection), each due
    /// at `nextRun(lastRun)` — the schedule's rule, which the engine owns — or at `time` if that
    /// has passed (or the sync never ran). Returns their ids.
    func resumeDisconnected(reason stopReason: String, at time: SimTime,
                            nextRun: (RunReport) -> SimTime) throws -> [Int64] {
        try queue.write { db in
            let ids = try Int64.fetchAll(db, sql: """
                SELECT id FROM sync WHERE state = 'stopped' AND reason = ? AND mode = 'dynamic' ORDER BY id
                """, arguments: [stopReason])
            var resumed: [Int64] = []
            for id in ids {
                let lastRun = try RunRecord.fetchOne(db, sql: "SELECT * FROM run WHERE sync_id = ? ORDER BY started DESC, number DESC LIMIT 1",
                                                     arguments: [id])
                let next = max(try lastRun.map { nextRun(try $0.report()) } ?? time, time)
                try db.cachedStatement(sql: "UPDATE sync SET state = 'active', reason = '', next_run = ? WHERE id = ?")
                    .execute(arguments: [next.milliseconds, id])
                try Self.noteStateChange(db, sync: id, state: .active, reason: "account reconnected; next run \(next)", at: time)
                resumed.append(id)
            }
            return resumed
        }
    }
}

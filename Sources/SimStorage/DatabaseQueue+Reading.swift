import GRDB

extension DatabaseQueue {
    /// Runs `body` on the queue's one connection, for reading.
    ///
    /// GRDB's `read` guards a read with `PRAGMA query_only = 1` and then `= 0`; SQLite expires
    /// every prepared statement of the connection when a flag pragma changes, so each read made
    /// all cached statements compile again (18% of a fuzz seed's time, docs/performance.md).
    /// Every database here is a `DatabaseQueue`: one connection, all access serialised, so a
    /// read needs no transaction to see one consistent state. Writes still go through `write`.
    public func reading<T>(_ body: (Database) throws -> T) throws -> T {
        try inDatabase { db in try body(db) }
    }
}

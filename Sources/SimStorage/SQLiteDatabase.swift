import GRDB

/// Opens the SQLite databases that hold the engine's and the fakes' state.
///
/// Each owner (the engine's sync store, each fake) keeps its own SQL in its own module and gets
/// its connection from here, so every database is opened, configured and migrated the same way.
public enum SQLiteDatabase {
    /// What a file database must survive.
    public enum Durability: Sendable {
        /// A process crash (the engine's state): `synchronous = NORMAL`.
        case crashSafe
        /// Nothing (a fake's state, rebuilt from its world each time): an in-memory rollback
        /// journal and `synchronous = OFF`.
        case scratch
    }

    /// Opens `path`, or a private in-memory database when `path` is `nil` or `:memory:`, and
    /// applies `migrations` in order (each runs once per database, by name).
    public static func open(path: String?, durability: Durability = .crashSafe,
                            migrations: [(name: String, apply: @Sendable (Database) throws -> Void)]) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.label = path ?? "memory"
        let queue: DatabaseQueue
        if let path, path != ":memory:" {
            switch durability {
            case .crashSafe:
                // Write-ahead logging with `synchronous = NORMAL` (GRDB's WAL set-up): a commit is
                // durable against a process crash without an fsync per transaction (a power cut
                // may lose the last commits, never corrupt the file) — what every run's pending
                // marker relies on.
                configuration.journalMode = .wal
            case .scratch:
                // A rollback journal kept in memory and no fsync: transactions still roll back,
                // but nothing waits for the disk.
                configuration.prepareDatabase { db in
                    try db.execute(sql: "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF")
                }
            }
            configuration.prepareDatabase { db in
                // 32 MiB of page cache for the main and the temporary database (SQLite's default
                // is 2 MiB): million-row runs then read from memory, and stay far below 500 MB.
                try db.execute(sql: "PRAGMA main.cache_size = -32768; PRAGMA temp.cache_size = -32768")
            }
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } else {
            queue = try DatabaseQueue(configuration: configuration)
        }
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.name, migrate: migration.apply)
        }
        try migrator.migrate(queue)
        return queue
    }
}

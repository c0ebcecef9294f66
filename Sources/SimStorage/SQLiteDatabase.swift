import CSQLiteTuning
import GRDB
import Synchronization

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

    /// One schema's migrations, in order; each runs once per database, by name.
    public typealias Migrations = [(name: String, apply: @Sendable (Database) throws -> Void)]

    /// Opens `path`, or a private in-memory database when `path` is `nil` or `:memory:`, and
    /// applies `migrations` in order (each runs once per database, by name).
    ///
    /// A database that is still empty is first filled with a copy (SQLite's backup API) of a
    /// template migrated once per process for `schema`: the fuzzer opens three databases per
    /// seed, and migrating each from scratch cost 14% of its time (docs/performance.md). The
    /// migrator then runs as usual and finds nothing left to do; a database that already holds
    /// data (a restarted engine's file) is never touched by the template.
    public static func open(path: String?, durability: Durability = .crashSafe, schema: String,
                            migrations: Migrations) throws -> DatabaseQueue {
        _ = processSetting
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
        let migrator = makeMigrator(migrations)
        if try queue.reading({ db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") ?? 0 }) == 0 {
            try template(schema: schema, migrations: migrations, migrator: migrator).backup(to: queue)
        }
        try migrator.migrate(queue)
        return queue
    }

    /// Set once, before this process opens its first connection; `SQLITE_MISUSE` (SQLite already
    /// initialised by someone else) only leaves allocations slower.
    private static let processSetting: Int32 = cohortsim_sqlite_disable_memory_status()

    private static func makeMigrator(_ migrations: Migrations) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.name, migrate: migration.apply)
        }
        return migrator
    }

    /// Migrated in-memory templates, by schema and migration names.
    private static let templates = Mutex<[String: DatabaseQueue]>([:])

    private static func template(schema: String, migrations: Migrations, migrator: DatabaseMigrator) throws -> DatabaseQueue {
        let key = ([schema] + migrations.map(\.name)).joined(separator: "\u{1}")
        if let template = templates.withLock({ $0[key] }) { return template }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.label = "template " + schema
        let template = try DatabaseQueue(configuration: configuration)
        try migrator.migrate(template)
        // Two threads may build the same template at once; both are identical, the first is kept.
        return templates.withLock { templates in
            if let existing = templates[key] { return existing }
            templates[key] = template
            return template
        }
    }
}

import Foundation
import GRDB
import Testing
import SimStorage

/// Databases are filled from a per-process migrated template; one that already holds data is not.
@Suite(.timeLimit(.minutes(2))) struct SQLiteTemplateTests {
    static let migrations: SQLiteDatabase.Migrations = [
        ("v1", { db in try db.execute(sql: "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)") }),
        ("v2", { db in try db.execute(sql: "ALTER TABLE item ADD COLUMN size INTEGER NOT NULL DEFAULT 0") }),
    ]

    @Test func aNewDatabaseGetsTheMigratedSchema() throws {
        let queue = try SQLiteDatabase.open(path: nil, schema: "template-test", migrations: Self.migrations)
        let columns = try queue.reading { db in try db.columns(in: "item").map(\.name) }
        #expect(columns == ["id", "name", "size"])
        let applied = try queue.reading { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") }
        #expect(applied == ["v1", "v2"])
    }

    @Test func aFileThatHoldsDataKeepsItWhenOpenedAgain() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("template-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let queue = try SQLiteDatabase.open(path: path, schema: "template-test", migrations: Self.migrations)
            try queue.write { db in try db.execute(sql: "INSERT INTO item (name, size) VALUES ('kept', 3)") }
        }
        let reopened = try SQLiteDatabase.open(path: path, schema: "template-test", migrations: Self.migrations)
        #expect(try reopened.reading { db in try String.fetchAll(db, sql: "SELECT name FROM item") } == ["kept"])
    }

    @Test func readsSeeEveryEarlierWrite() throws {
        let queue = try SQLiteDatabase.open(path: nil, schema: "template-test", migrations: Self.migrations)
        for n in 1...3 {
            try queue.write { db in try db.execute(sql: "INSERT INTO item (name) VALUES (?)", arguments: ["n\(n)"]) }
            #expect(try queue.reading { db in try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM item")) } == n)
        }
    }
}

import Testing
import GRDB
import SimCore
@testable import ExportEngine

/// Domain values (state, mode, trigger, outcome, change action) are stored as their enums' raw
/// values; one the engine does not know is an error, never a default.
@Suite(.timeLimit(.minutes(2))) struct StoredDomainValueTests {
    static func exported() async throws -> EngineFixture {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        _ = try await fixture.connectAndExport()
        return fixture
    }

    static func corrupt(_ fixture: EngineFixture, _ sql: String) throws {
        try fixture.engine.store.queue.write { db in try db.execute(sql: sql) }
    }

    @Test func storedValuesAreTheRawValues() async throws {
        let fixture = try await Self.exported()
        let row = try fixture.engine.store.queue.read { db in
            try Row.fetchOne(db, sql: "SELECT s.state, s.mode, r.trigger, r.outcome FROM sync s JOIN run r ON r.sync_id = s.id")
        }
        #expect(row?["state"] == SyncState.Kind.finished.rawValue)
        #expect(row?["mode"] == ExportMode.oneTime.rawValue)
        #expect(row?["trigger"] == RunTrigger.oneTime.rawValue)
        #expect(row?["outcome"] == RunReport.Outcome.succeeded.rawValue)
    }

    @Test(arguments: [
        ("UPDATE sync SET state = 'zombie'", "unknown sync.state 'zombie'"),
        ("UPDATE sync SET mode = 'weekly'", "unknown sync.mode 'weekly'"),
    ])
    func anUnknownSyncValueIsAnError(_ sql: String, _ message: String) async throws {
        let fixture = try await Self.exported()
        try Self.corrupt(fixture, sql)
        let error = await #expect(throws: EngineError.self) { try await fixture.engine.syncs() }
        #expect(error?.message.hasPrefix(message) == true)
    }

    @Test(arguments: [
        ("UPDATE run SET trigger = 'cron'", "unknown run.trigger 'cron'"),
        ("UPDATE run SET outcome = 'meh'", "unknown run.outcome 'meh'"),
        ("UPDATE run SET skipped = 'not json'", ""),
    ])
    func anUnknownRunValueIsAnError(_ sql: String, _ message: String) async throws {
        let fixture = try await Self.exported()
        try Self.corrupt(fixture, sql)
        await #expect(throws: (any Error).self) { try await fixture.engine.runs() }
        if !message.isEmpty {
            let error = await #expect(throws: EngineError.self) { try await fixture.engine.runs() }
            #expect(error?.message.hasPrefix(message) == true)
        }
    }

    @Test func anUnknownChangeActionIsAnErrorNotANoOp() async throws {
        let fixture = try await Self.exported()
        try Self.corrupt(fixture, "UPDATE run_member SET action = 'teleport'")
        let error = await #expect(throws: EngineError.self) { try await fixture.engine.changes(run: 1) }
        #expect(error?.message.hasPrefix("unknown run_member.action 'teleport'") == true)
    }
}

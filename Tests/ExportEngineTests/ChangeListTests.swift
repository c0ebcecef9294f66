import GRDB
import Testing
import SimCore
@testable import ExportEngine

/// Per-member change lists: no-ops are derived from snapshot versions, not stored per member.
@Suite(.timeLimit(.minutes(2))) struct ChangeListTests {
    private static func summary(_ changes: [MemberChange]) -> [String] {
        changes.map { "\($0.action.rawValue) \($0.distinctID) \($0.email)" }
    }

    @Test func everyRunKeepsItsOwnNoOpsAfterLaterRunsChangeTheSnapshot() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io"), ("bob", "bob@x.io"), ("cat", "cat@x.io")])
        let first = try await fixture.connectAndExport(.dynamic)
        // Run 2: bob leaves, dan joins, ann's address is now owned by a new distinct_id.
        fixture.setCohort([("ann2", "ann@x.io"), ("cat", "cat@x.io"), ("dan", "dan@x.io")])
        fixture.clock.set(EngineFixture.start.adding(.hours(2)))
        try await fixture.engine.runDue()
        // Run 3: nothing changes.
        fixture.clock.set(EngineFixture.start.adding(.hours(4)))
        try await fixture.engine.runDue()
        let runs = try await fixture.engine.runs()
        #expect(runs.map(\.outcome) == [.succeeded, .succeeded, .succeeded])
        #expect(Self.summary(try await fixture.engine.changes(run: first.number))
                == ["add ann ann@x.io", "add bob bob@x.io", "add cat cat@x.io"])
        #expect(Self.summary(try await fixture.engine.changes(run: runs[1].number))
                == ["add dan dan@x.io", "no-op ann2 ann@x.io", "no-op cat cat@x.io", "remove bob bob@x.io"])
        #expect(Self.summary(try await fixture.engine.changes(run: runs[2].number))
                == ["no-op ann2 ann@x.io", "no-op cat cat@x.io", "no-op dan dan@x.io"])
        #expect(runs[2].unchanged == 3)
    }

    @Test func noOpsAreNotStoredOneRowPerMember() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort((0..<50).map { ("u\($0)", "u\($0)@x.io") })
        _ = try await fixture.connectAndExport(.dynamic)
        fixture.clock.set(EngineFixture.start.adding(.hours(2)))
        try await fixture.engine.runDue()
        let second = try #require(try await fixture.engine.runs().last)
        #expect(second.unchanged == 50)
        let stored = try await fixture.engine.store.queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run_member WHERE number = ?", arguments: [second.number])
        }
        #expect(stored == 0)
        #expect(try await fixture.engine.changes(run: second.number).filter { $0.action == .noop }.count == 50)
    }

    @Test func aFailedRunHasNoNoOps() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        _ = try await fixture.connectAndExport(.dynamic)
        fixture.transport.update {
            $0.overrides = [("POST /3.0/lists/aud1/segments/", .json(["title": "Invalid Resource", "detail": "no", "status": 400], status: 400))]
        }
        fixture.setCohort([("ann", "ann@x.io"), ("bob", "bob@x.io")])
        fixture.clock.set(EngineFixture.start.adding(.hours(2)))
        try await fixture.engine.runDue()
        let second = try #require(try await fixture.engine.runs().last)
        #expect(second.outcome == .failed)
        #expect(try await fixture.engine.changes(run: second.number).isEmpty)
    }

    @Test func runsRecordedBeforeVersionsKeepTheirStoredNoOpsOnly() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        let first = try await fixture.connectAndExport(.dynamic)
        // As a pre-v4 database has it: the no-op stored in run_member, nothing derived.
        try await fixture.engine.store.queue.write { db in
            try db.execute(sql: "UPDATE run SET noops_derived = 0 WHERE number = ?", arguments: [first.number])
            try db.execute(sql: "INSERT INTO run_member (number, seq, action, distinct_id, email, reason) VALUES (?, 99, 'no-op', 'old', 'old@x.io', '')",
                           arguments: [first.number])
        }
        #expect(Self.summary(try await fixture.engine.changes(run: first.number)) == ["add ann ann@x.io", "no-op old old@x.io"])
    }
}

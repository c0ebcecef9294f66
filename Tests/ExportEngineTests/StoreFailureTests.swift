import Testing
import GRDB
import SimCore
@testable import ExportEngine

/// Failures of the engine's own SQLite state: each fails the run (recorded `failed` with the
/// error) or the call (an ``EngineError`` saying what the engine was doing), never a silent success.
///
/// The failures are real SQLite errors, injected into the engine's database: a trigger that
/// aborts chosen writes (`RAISE(ABORT, …)`), or a table renamed away so that reads of it fail.
@Suite(.timeLimit(.minutes(2))) struct StoreFailureTests {
    /// Makes every insert into `table` that matches `when` (SQL on `NEW`) fail with `message`.
    static func failInserts(into table: String, when condition: String = "1", message: String = "disk full (injected)",
                            in fixture: EngineFixture) throws {
        try fixture.engine.store.queue.write { db in
            try db.execute(sql: """
                CREATE TRIGGER injected_failure_\(table) BEFORE INSERT ON \(table) WHEN \(condition)
                BEGIN SELECT RAISE(ABORT, '\(message)'); END
                """)
        }
    }

    /// Renames `table` away: every statement that reads or writes it fails.
    static func breakTable(_ table: String, in fixture: EngineFixture) throws {
        try fixture.engine.store.queue.write { db in try db.execute(sql: "ALTER TABLE \(table) RENAME TO \(table)_gone") }
    }

    @Test func aRunWhoseRecordCannotBeWrittenIsRecordedFailedAndKeepsNoSnapshot() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        try Self.failInserts(into: "run", when: "NEW.outcome = 'succeeded'", in: fixture)
        let report = try await fixture.connectAndExport()
        #expect(report.outcome == .failed)
        #expect(report.error.contains("could not record the run"))
        #expect(report.error.contains("disk full (injected)"))
        #expect(report.mailchimpRequests > 0)
        let runs = try await fixture.engine.runs()
        #expect(runs.map(\.outcome) == [.failed])
        #expect(runs.first?.error == report.error)
        #expect(try fixture.engine.store.snapshotTime(cohortID: 501, audienceID: EngineFixture.audience) == nil)
        #expect(try fixture.engine.store.pendingRuns().isEmpty)
        #expect(try await fixture.engine.syncs().first?.state == .finished)
    }

    @Test func aRunThatCannotBeRecordedEvenAsFailedFailsTheCallAndStaysPending() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        try Self.failInserts(into: "run", in: fixture)
        let error = await #expect(throws: EngineError.self) { try await fixture.connectAndExport() }
        #expect(error?.message.contains("could not record run 1 as failed") == true)
        #expect(error?.message.contains("disk full (injected)") == true)
        #expect(try await fixture.engine.runs().isEmpty)
        // The pending mark stays, so a later recovery records the run as interrupted.
        #expect(try fixture.engine.store.pendingRuns().map(\.number) == [1])
    }

    @Test func aRunThatCannotBeNumberedFailsTheCallBeforeAnyMailchimpWrite() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        _ = await fixture.engine.connect(apiKey: EngineFixture.apiKey)
        try Self.breakTable("pending_run", in: fixture)
        let error = await #expect(throws: EngineError.self) {
            try await fixture.engine.startExport(cohortID: 501, cohortName: "Power Users", audienceID: EngineFixture.audience, mode: .oneTime)
        }
        #expect(error?.message.hasPrefix("could not number the next run") == true)
        #expect(fixture.transport.requests("POST", "/3.0/lists").isEmpty)
    }

    @Test func aPausedRunThatCannotBeRecordedFailsTheCall() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        try Self.failInserts(into: "run", in: fixture)
        // Not connected: the run pauses, and recording that fails.
        let error = await #expect(throws: EngineError.self) {
            try await fixture.engine.startExport(cohortID: 501, cohortName: "Power Users", audienceID: EngineFixture.audience, mode: .dynamic)
        }
        #expect(error?.message.hasPrefix("could not record run 1") == true)
    }

    @Test func runDueFailsWhenTheSyncsCannotBeRead() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        _ = try await fixture.connectAndExport(.dynamic)
        await fixture.engine.quiesce()
        fixture.clock.set(EngineFixture.start.adding(.hours(2)))
        try Self.breakTable("sync", in: fixture)
        let error = await #expect(throws: EngineError.self) { try await fixture.engine.runDue() }
        #expect(error?.message.hasPrefix("could not list syncs") == true)
    }

    @Test func aScheduledRunThatCannotBeRecordedLeavesItsFailureOnTheEngine() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        _ = try await fixture.connectAndExport(.dynamic)
        try Self.failInserts(into: "run", in: fixture)
        #expect(await fixture.engine.scheduleFailure == nil)
        for _ in 0..<10_000 where fixture.clock.sleeperCount == 0 { await Task.yield() }
        #expect(fixture.clock.advanceToNextDeadline())  // wakes the schedule at 11:00
        for _ in 0..<10_000 where await fixture.engine.scheduleFailure == nil { await Task.yield() }
        await fixture.engine.quiesce()
        let failure = try #require(await fixture.engine.scheduleFailure)
        #expect(failure.message.contains("could not record run 2 as failed"))
    }

    @Test func recoveryThatCannotRecordTheInterruptedRunFailsAndKeepsItPending() async throws {
        var fixture = try EngineFixture(onDisk: true, configure: { $0.crashPoints = [.afterContactsCreated] })
        fixture.setCohort([("ann", "ann@x.io")])
        await #expect(throws: SimulatedCrash.self) { try await fixture.connectAndExport() }
        try fixture.restart()
        try Self.failInserts(into: "run", in: fixture)
        let error = await #expect(throws: EngineError.self) { try await fixture.engine.recoverInterruptedRuns() }
        #expect(error?.message.hasPrefix("could not record interrupted run 1") == true)
        #expect(try fixture.engine.store.pendingRuns().map(\.number) == [1])
    }

    @Test(arguments: CrashPoint.allCases)
    func anInterruptedRunCountsTheRequestsItMade(_ point: CrashPoint) async throws {
        var fixture = try EngineFixture(onDisk: true, configure: { $0.crashPoints = [point] })
        fixture.setCohort([("ann", "ann@x.io"), ("bob", "bob@x.io")])
        await #expect(throws: SimulatedCrash.self) { try await fixture.connectAndExport() }
        // Everything but connect's role check and ping belongs to the run.
        let mailchimp = fixture.transport.requests.filter { $0.host.hasSuffix("mailchimp.com") }.count - 1
        let mixpanel = fixture.transport.requests.filter { !$0.host.hasSuffix("mailchimp.com") }.count - 1
        try fixture.restart()
        let interrupted = try #require(try await fixture.engine.recoverInterruptedRuns().first)
        #expect(interrupted.outcome == .interrupted)
        #expect(interrupted.mailchimpRequests == mailchimp)
        #expect(interrupted.mixpanelRequests == mixpanel)
        #expect(interrupted.mixpanelRequests > 0)
        #expect(try await fixture.engine.runs().first?.mailchimpRequests == mailchimp)
    }
}

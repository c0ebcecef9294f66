import Testing
import SimCore
@testable import ExportEngine

@Suite(.timeLimit(.minutes(2))) struct CrashRecoveryTests {
    @Test(arguments: CrashPoint.allCases)
    func aFirstRunInterruptedAnywhereIsFinishedAfterARestart(_ point: CrashPoint) async throws {
        var fixture = try EngineFixture(onDisk: true, configure: { $0.crashPoints = [point] })
        fixture.setCohort([("ann", "ann@x.io"), ("bob", "bob@x.io")])
        fixture.transport.update { $0.members["bob@x.io"] = .init(email: "bob@x.io", status: "subscribed") }
        await #expect(throws: SimulatedCrash(point: point)) { try await fixture.connectAndExport() }
        #expect(try await fixture.engine.runs().isEmpty)
        // The dead instance does nothing more.
        await #expect(throws: SimulatedCrash.self) {
            try await fixture.engine.startExport(cohortID: 501, cohortName: "Power Users", audienceID: "aud1", mode: .oneTime)
        }

        try fixture.restart()
        let recovered = try await fixture.engine.recoverInterruptedRuns()
        #expect(recovered.map(\.outcome) == [.interrupted, .succeeded])
        let runs = try await fixture.engine.runs()
        #expect(runs.map(\.number) == [1, 2])
        #expect(runs.map(\.outcome) == [.interrupted, .succeeded])
        #expect(runs[0].error.contains("last checkpoint: \(point.rawValue)"))
        #expect(runs[1].trigger == .recovery)
        #expect(runs[1].exported == 2)
        // A first run that tagged before dying leaves a tag but no snapshot: the redo is a full
        // reconcile that finds both already tagged (no-op), else it adds them.
        let tagged = point == .afterTagUpdate || point == .beforeRecord
        #expect(runs[1].added == (tagged ? 0 : 2))
        #expect(runs[1].fullReconcile)
        #expect(fixture.transport.taggedEmails() == ["ann@x.io", "bob@x.io"])
        #expect(fixture.transport.state.withLock { $0.members.count } == 2)
        #expect(fixture.transport.state.withLock { $0.tags.count } == 1)
        #expect(try await fixture.engine.syncs().first?.state == .finished)
        // Recovering again finds nothing to do.
        #expect(try await fixture.engine.recoverInterruptedRuns().isEmpty)
    }

    @Test(arguments: [CrashPoint.afterContactsCreated, .afterTagUpdate, .beforeRecord])
    func aScheduledRunInterruptedMidWayLosesNoTagChange(_ point: CrashPoint) async throws {
        var fixture = try EngineFixture(onDisk: true)
        fixture.setCohort([("ann", "ann@x.io"), ("bob", "bob@x.io")])
        _ = try await fixture.connectAndExport(.dynamic)
        await fixture.engine.quiesce()

        fixture.setCohort([("ann", "ann@x.io"), ("cat", "cat@x.io")])
        fixture.clock.set(EngineFixture.start.adding(.hours(2)))
        await fixture.engine.armCrash(at: [point])
        try await fixture.engine.runDue()
        #expect(try await fixture.engine.runs().count == 1)

        try fixture.restart()
        fixture.clock.set(EngineFixture.start.adding(.hours(2) + .minutes(5)))
        try await fixture.engine.runDue()  // finds the interrupted run first
        let runs = try await fixture.engine.runs()
        #expect(runs.map(\.outcome) == [.succeeded, .interrupted, .succeeded])
        #expect(runs.map(\.trigger) == [.initial, .scheduled, .recovery])
        #expect(runs[2].added == 1)
        #expect(runs[2].removed == 1)
        #expect(fixture.transport.taggedEmails() == ["ann@x.io", "cat@x.io"])
        #expect(fixture.transport.state.withLock { $0.members.count } == 3)
        let sync = try #require(try await fixture.engine.syncs().first)
        #expect(sync.nextRun == EngineFixture.start.adding(.hours(4) + .minutes(5)))
        await fixture.engine.quiesce()
    }

    @Test func aStoppedSyncIsRecordedInterruptedButNotRedone() async throws {
        var fixture = try EngineFixture(onDisk: true, configure: { $0.crashPoints = [.afterCohortRead] })
        fixture.setCohort([("ann", "ann@x.io")])
        _ = try? await fixture.connectAndExport(.dynamic)
        try fixture.restart()
        try await fixture.engine.stop(syncID: 1)
        let recovered = try await fixture.engine.recoverInterruptedRuns()
        #expect(recovered.map(\.outcome) == [.interrupted])
        #expect(fixture.transport.taggedEmails().isEmpty)
    }
}

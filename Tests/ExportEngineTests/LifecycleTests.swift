import Testing
import SimCore
import SimHTTP
@testable import ExportEngine

/// Reconnect, resume and the history of sync states.
@Suite(.timeLimit(.minutes(2))) struct LifecycleTests {
    static func start(_ offset: SimDuration) -> SimTime { EngineFixture.start.adding(offset) }

    @Test func reconnectingResumesADisconnectedSyncAtItsNextSlot() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        _ = try await fixture.connectAndExport(.dynamic)
        fixture.clock.set(Self.start(.minutes(30)))
        try await fixture.engine.disconnect()
        #expect(try await fixture.engine.syncs().first?.state == .stopped(reason: "account disconnected"))
        fixture.clock.set(Self.start(.hours(1)))
        #expect(await fixture.engine.connect(apiKey: EngineFixture.apiKey) == .connected(dataCenter: "us6"))
        let sync = try #require(try await fixture.engine.syncs().first)
        #expect(sync.state == .active)
        #expect(sync.nextRun == Self.start(.hours(2)))
        await fixture.engine.quiesce()
    }

    @Test func reconnectingAfterAMissedSlotMakesTheSyncDueAtOnce() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        _ = try await fixture.connectAndExport(.dynamic)
        try await fixture.engine.disconnect()
        fixture.clock.set(Self.start(.hours(5)))
        _ = await fixture.engine.connect(apiKey: EngineFixture.apiKey)
        #expect(try await fixture.engine.syncs().first?.nextRun == Self.start(.hours(5)))
        try await fixture.engine.runDue()
        await fixture.engine.quiesce()
        #expect(try await fixture.engine.runs().map(\.trigger) == [.initial, .scheduled])
    }

    @Test func reconnectingDoesNotResumePausedOrUserStoppedSyncs() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        _ = try await fixture.connectAndExport(.dynamic)
        try await fixture.engine.stop(syncID: 1)
        _ = await fixture.engine.connect(apiKey: EngineFixture.apiKey)
        #expect(try await fixture.engine.syncs().first?.state == .stopped(reason: "stopped by user"))
    }

    @Test func resumingAPausedSyncRunsAFullReconcileAtOnce() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        _ = try await fixture.connectAndExport(.dynamic)
        await fixture.engine.quiesce()
        fixture.transport.update { $0.overrides.append(("POST /api/query/cohorts/list", .json(["error": "x"], status: 401))) }
        fixture.clock.set(Self.start(.hours(2)))
        try await fixture.engine.runDue()
        #expect(try await fixture.engine.syncs().first?.state.description.hasPrefix("Paused") == true)

        fixture.clock.set(Self.start(.hours(3)))
        let report = try await fixture.engine.resume(syncID: 1)
        #expect(report.trigger == .resume)
        #expect(report.outcome == .succeeded)
        #expect(report.fullReconcile)
        let sync = try #require(try await fixture.engine.syncs().first)
        #expect(sync.state == .active)
        #expect(sync.nextRun == Self.start(.hours(5)))
        let history = try await fixture.engine.stateChanges().map { "\($0.state.rawValue) \($0.reason)" }
        #expect(history.count == 3)
        #expect(history[0] == "active export created")
        #expect(history[1].hasPrefix("paused "))
        #expect(history[2].hasPrefix("active resumed by user (was paused: "))
        await fixture.engine.quiesce()
    }

    @Test func resumingWhileStillBrokenPausesAgain() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        _ = try await fixture.connectAndExport(.dynamic)
        await fixture.engine.quiesce()
        let unauthorized = HTTPResponse.json(["error": "x"], status: 401)
        fixture.transport.update { $0.overrides += [("POST /api/query/cohorts/list", unauthorized), ("POST /api/query/cohorts/list", unauthorized)] }
        fixture.clock.set(Self.start(.hours(2)))
        try await fixture.engine.runDue()
        let report = try await fixture.engine.resume(syncID: 1)
        #expect(report.outcome == .paused)
        #expect(try await fixture.engine.syncs().first?.state == .paused(reason: report.error))
        #expect(try await fixture.engine.stateChanges().map(\.state) == [.active, .paused, .active, .paused])
    }

    @Test func onlyAPausedSyncWithAConnectionIsResumed() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        _ = try await fixture.connectAndExport(.dynamic)
        await fixture.engine.quiesce()
        let active = await #expect(throws: EngineError.self) { try await fixture.engine.resume(syncID: 1) }
        #expect(active?.message == "sync 1 is Active, not paused: nothing to resume")
        try await fixture.engine.disconnect()
        let stopped = await #expect(throws: EngineError.self) { try await fixture.engine.resume(syncID: 1) }
        #expect(stopped?.message.hasSuffix("(reconnecting resumes it)") == true)
        let missing = await #expect(throws: EngineError.self) { try await fixture.engine.resume(syncID: 9) }
        #expect(missing?.message == "there is no sync 9")
        #expect(try await fixture.engine.runs().count == 1)
    }

    @Test func everyStateChangeIsRecordedWithItsReasonAndNoneForAnUnchangedState() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        _ = try await fixture.connectAndExport(.dynamic)
        await fixture.engine.quiesce()
        fixture.clock.set(Self.start(.hours(2)))
        try await fixture.engine.runDue()  // active -> active: nothing recorded
        try await fixture.engine.stop(syncID: 1)
        _ = try await fixture.connectAndExport(.oneTime)
        let changes = try await fixture.engine.stateChanges()
        #expect(changes.map { "\($0.syncID) \($0.state.rawValue) \($0.reason)" } == [
            "1 active export created", "1 stopped stopped by user", "2 active export created", "2 finished ",
        ])
        #expect(changes[1].at == Self.start(.hours(2)))
    }

    /// `sync history` prints through `redacting`: the stored key (whole and bare) and the
    /// service-account secret never appear.
    @Test func historyTextIsRedactedOfTheEnginesSecrets() async throws {
        let fixture = try EngineFixture(configure: { $0.mixpanel.secret = "mp-service-secret-1" })
        let key = "0123456789abcdef0123456789abcdef-us6"
        #expect(await fixture.engine.connect(apiKey: key) == .connected(dataCenter: "us6"))
        let text = "failed: 401 for 0123456789abcdef0123456789abcdef-us6 (0123456789abcdef0123456789abcdef), secret mp-service-secret-1"
        let redacted = try await fixture.engine.redacting(text)
        #expect(redacted == "failed: 401 for <api-key> (<api-key>), secret <secret>")
    }
}

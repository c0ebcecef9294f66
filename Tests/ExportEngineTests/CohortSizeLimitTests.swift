import Testing
import SimCore
@testable import ExportEngine

/// A49: Mixpanel exports cohorts of at most 10 million users; a larger cohort fails its run.
@Suite(.timeLimit(.minutes(2))) struct CohortSizeLimitTests {
    @Test func theProductionLimitIsTenMillionUsers() {
        #expect(EngineConfiguration.mixpanelCohortSizeLimit == 10_000_000)
        #expect(EngineFixture.configuration().maxCohortSize == 10_000_000)
    }

    @Test func aCohortListedOverTheLimitFailsBeforeReadingItAndKeepsTheSnapshot() async throws {
        let fixture = try EngineFixture(configure: { $0.maxCohortSize = 2 })
        fixture.setCohort([("ann", "ann@x.io"), ("bob", "bob@x.io")])
        let first = try await fixture.connectAndExport(.dynamic)
        #expect(first.outcome == .succeeded)
        let snapshot = try fixture.engine.store.snapshotTime(cohortID: 501, audienceID: EngineFixture.audience)
        await fixture.engine.quiesce()

        fixture.setCohort([("ann", "ann@x.io"), ("cat", "cat@x.io"), ("dan", "dan@x.io")])
        fixture.transport.update { $0.listedCounts[501] = 3 }
        let engageReads = fixture.transport.requests("POST", "/api/query/engage").count
        fixture.clock.set(EngineFixture.start.adding(.hours(2)))
        try await fixture.engine.runDue()
        await fixture.engine.quiesce()
        let run = try #require(try await fixture.engine.runs().last)
        #expect(run.outcome == .failed)
        #expect(run.cohortSize == 3)
        #expect(run.error == "cohort 501 has 3 users, over the 2 a cohort export may have (A49); nothing was sent and the snapshot is kept")
        #expect(fixture.transport.requests("POST", "/api/query/engage").count == engageReads)
        #expect(try fixture.engine.store.snapshotTime(cohortID: 501, audienceID: EngineFixture.audience) == snapshot)
        #expect(fixture.transport.taggedEmails() == ["ann@x.io", "bob@x.io"])
        #expect(try await fixture.engine.syncs().first?.state == .active)
    }

    @Test func aCohortThatReadsOverTheLimitFailsWithoutAnyMailchimpWrite() async throws {
        let fixture = try EngineFixture(configure: { $0.maxCohortSize = 1 })
        fixture.setCohort([("ann", "ann@x.io"), ("bob", "bob@x.io")])
        let report = try await fixture.connectAndExport()
        #expect(report.outcome == .failed)
        #expect(report.error.hasPrefix("cohort 501 has more than 1 users, over the 1 a cohort export may have (A49)"))
        #expect(fixture.transport.requests("POST", "/3.0/lists").isEmpty)
        #expect(try fixture.engine.store.snapshotTime(cohortID: 501, audienceID: EngineFixture.audience) == nil)
    }

    @Test func aCohortAtTheLimitIsExported() async throws {
        let fixture = try EngineFixture(configure: { $0.maxCohortSize = 2 })
        fixture.setCohort([("ann", "ann@x.io"), ("bob", "bob@x.io")])
        fixture.transport.update { $0.listedCounts[501] = 2 }
        let report = try await fixture.connectAndExport()
        #expect(report.outcome == .succeeded)
        #expect(report.added == 2)
    }
}

import SimCore
import Testing
@testable import Harness

@Suite(.timeLimit(.minutes(3))) struct CapacityBenchmarkTests {
    /// The bound is a lower bound: no phase can finish faster than the limits allow, and the
    /// engine's own pacing keeps it within a small factor of it.
    @Test func everyPhaseTakesAtLeastItsBoundAndStaysNearIt() async throws {
        let figures = try await CapacityBenchmark(profiles: 2_000, syncs: 2).run()
        let phases = [figures.firstExport, figures.resync] + (figures.allSyncs.map { [$0] } ?? [])
        #expect(phases.count == 3)
        for phase in phases {
            #expect(phase.boundSeconds > 0)
            #expect(phase.virtualSeconds >= phase.boundSeconds, "virtual \(phase.virtualSeconds) s under the bound \(phase.boundSeconds) s")
            #expect(phase.ratio < 3, "virtual \(phase.virtualSeconds) s is more than 3× the bound \(phase.boundSeconds) s")
            #expect(phase.queries >= 2 && phase.mailchimpRequests >= 1)
        }
        #expect(figures.slotsSkippedByFirstExport == 0)
    }

    /// The issue's JSON keys are all present, and the shard syncs read smaller cohorts (each
    /// shard's read is its own session, so the all-syncs phase opens one session per sync).
    @Test func jsonCarriesEveryPhaseAndTheShardSyncsReadTheirOwnCohorts() async throws {
        let figures = try await CapacityBenchmark(profiles: 1_000, syncs: 3).run()
        guard case .object(let object) = figures.json else { Issue.record("not an object"); return }
        for key in ["virtual_first_export_seconds", "first_export_bound_seconds", "virtual_resync_seconds",
                    "resync_bound_seconds", "syncs", "virtual_all_syncs_seconds", "all_syncs_bound_seconds"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["syncs"] == .int(3))
        let all = try #require(figures.allSyncs)
        // One /cohorts/list and at least one /engage page per shard sync.
        #expect(all.queries >= 6)
    }

    /// With session pages not counted, only each session's opening page is metered.
    @Test func sessionPagesThatDoNotCountMeterOnlyTheOpeningQueries() async throws {
        let counting = try await CapacityBenchmark(profiles: 6_000, sessionPagesCount: true).run()
        let free = try await CapacityBenchmark(profiles: 6_000, sessionPagesCount: false).run()
        #expect(counting.firstExport.meteredQueries == counting.firstExport.queries)
        #expect(free.firstExport.meteredQueries == 2, "the cohort listing and the session's first page")
        #expect(free.firstExport.queries == counting.firstExport.queries)
    }
}

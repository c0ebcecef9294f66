import ExportEngine
import FakeMailchimp
import Foundation
import SimCore
import SimHTTP

/// `cohortsim bench --capacity`: how long exports take in *virtual* time once the services'
/// latency and limits bind, against the bound those limits set.
///
/// The world is ``Benchmark``'s synthetic one with the default latency models and limits on.
/// It measures a first dynamic export, its scheduled re-sync after 1 % churn, and, with more
/// than one sync, that many one-time exports of the cohort to their own audiences started
/// together on the same key and project. Each phase's bound comes from the requests the
/// engine actually sent (journalled with their service times):
///
/// - reads: the Query API's 60 queries per rolling hour (the n-th metered query cannot start
///   before ⌊(n − 1) / 60⌋ hours after the first) plus the last query's service time, or the
///   queries' service times spread over 5 concurrent, whichever is longer;
/// - writes: the Mailchimp requests' service times spread over the key's 10 connections;
/// - bound = reads + writes (a run reads the whole cohort before it knows what to remove).
public struct CapacityBenchmark: Sendable {
    /// One phase's virtual duration and its bound, in seconds.
    public struct Phase: Sendable, Equatable {
        public var virtualSeconds: Double
        public var boundSeconds: Double
        public var queries: Int
        public var meteredQueries: Int
        public var mailchimpRequests: Int

        /// Virtual time over the bound (1 means the engine loses nothing to its own pacing).
        public var ratio: Double { boundSeconds > 0 ? virtualSeconds / boundSeconds : 0 }
    }

    /// The measured phases.
    public struct Figures: Sendable, Equatable {
        public var profiles: Int
        public var syncs: Int
        public var sessionPagesCount: Bool
        public var firstExport: Phase
        public var resync: Phase
        /// The next slot came while the first export was still going: how many were skipped.
        public var slotsSkippedByFirstExport: Int
        public var allSyncs: Phase?

        public var json: JSONValue {
            var object: [String: JSONValue] = [
                "profiles": .int(Int64(profiles)), "syncs": .int(Int64(syncs)),
                "session_pages_count": .bool(sessionPagesCount),
                "virtual_first_export_seconds": .double(firstExport.virtualSeconds),
                "first_export_bound_seconds": .double(firstExport.boundSeconds),
                "first_export_queries": .int(Int64(firstExport.queries)),
                "first_export_slots_skipped": .int(Int64(slotsSkippedByFirstExport)),
                "virtual_resync_seconds": .double(resync.virtualSeconds),
                "resync_bound_seconds": .double(resync.boundSeconds),
            ]
            if let allSyncs {
                object["virtual_all_syncs_seconds"] = .double(allSyncs.virtualSeconds)
                object["all_syncs_bound_seconds"] = .double(allSyncs.boundSeconds)
            }
            return .object(object)
        }
    }

    public let profiles: Int
    public let syncs: Int
    public let sessionPagesCount: Bool
    public let seed: UInt64

    public init(profiles: Int, syncs: Int = 1, sessionPagesCount: Bool = true, seed: UInt64 = 1) {
        self.profiles = profiles
        self.syncs = syncs
        self.sessionPagesCount = sessionPagesCount
        self.seed = seed
    }

    /// The synthetic world with latency and limits at their defaults and one audience per sync.
    func scenario() -> Scenario {
        var scenario = Benchmark(profiles: profiles, seed: seed).scenario()
        scenario.mixpanelOptions.sessionPagesCount = sessionPagesCount
        for index in 1..<max(1, syncs) {
            scenario.mailchimp.audiences.append(.init(id: "benchlist\(index + 1)", name: "Bench \(index + 1)", members: []))
        }
        return scenario
    }

    /// Runs the benchmark with every database in a temporary folder that is removed afterwards.
    public func run() async throws -> Figures {
        let directory = NSTemporaryDirectory() + "cohortsim-capacity-\(getpid())-\(profiles)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let scenario = scenario()
        let rig = try await BenchRig(scenario: scenario, directory: directory, profiles: profiles, seed: seed)
        let (simulation, engine, journal) = (rig.simulation, rig.engine, rig.journal)
        let (profiles, syncs, sessionPagesCount) = (self.profiles, self.syncs, self.sessionPagesCount)
        return try await simulation.run {
            _ = await engine.connect(apiKey: scenario.mailchimp.apiKey)
            let first = try await engine.startExport(cohortID: 1, cohortName: "Bench Cohort", audienceID: "benchlist1", mode: .dynamic)
            try Self.require(first)
            _ = try rig.fakes.mixpanel.applyProfileUpdates(try Benchmark.churn(profiles: profiles, token: scenario.mixpanel.token))
            // The next run is at the first slot at or after the first export finished.
            try await simulation.clock.sleep(until: first.finished.adding(.hours(2)).adding(.minutes(1)), priority: .timeline)
            await engine.quiesce()
            guard let resync = try await engine.runs().last(where: { $0.syncID == first.syncID && $0.number != first.number }) else {
                throw EngineError("the capacity benchmark's re-sync did not run")
            }
            try Self.require(resync)
            var figures = Figures(profiles: profiles, syncs: syncs, sessionPagesCount: sessionPagesCount,
                                  firstExport: Self.phase(journal.journal, from: first.started, to: first.finished, sessionPagesCount),
                                  resync: Self.phase(journal.journal, from: resync.started, to: resync.finished, sessionPagesCount),
                                  slotsSkippedByFirstExport: first.slotsSkipped, allSyncs: nil)
            if syncs > 1 {
                // Stop the dynamic sync first so its slots do not mix into the measurement.
                try await engine.stop(syncID: first.syncID)
                let started = simulation.clock.now
                let reports = try await withThrowingTaskGroup(of: RunReport.self) { group in
                    for index in 2...syncs {
                        group.addTask {
                            try await engine.startExport(cohortID: 1, cohortName: "Bench Cohort", audienceID: "benchlist\(index)", mode: .oneTime)
                        }
                    }
                    return try await group.reduce(into: [RunReport]()) { $0.append($1) }
                }
                for report in reports { try Self.require(report) }
                let finished = reports.map(\.finished).max() ?? started
                figures.allSyncs = Self.phase(journal.journal, from: started, to: finished, sessionPagesCount)
            }
            return figures
        }
    }

    static func require(_ report: RunReport) throws {
        guard report.outcome == .succeeded else {
            throw EngineError("capacity benchmark run \(report.number) did not succeed: \(report.outcome) \(report.error)")
        }
    }

    /// The phase between `start` and `end`, with its bound from the requests sent in it.
    static func phase(_ journal: [JournalEntry], from start: SimTime, to end: SimTime, _ sessionPagesCount: Bool) -> Phase {
        let entries = journal.filter { $0.time >= start && $0.time <= end }
        let queries = entries.filter { $0.service == "mixpanel" && ($0.path.contains("/query/") || $0.path.contains("/2.0/")) }
        let writes = entries.filter { $0.service == "mailchimp" }
        // Without session pages counting, a read meters its opening page only: one per session.
        let sessions = queries.filter { $0.path.hasSuffix("/engage") }.count
        let metered = sessionPagesCount ? queries.count : queries.count - max(0, sessions - Self.openedSessions(queries))
        let hourly = Double((max(1, metered) - 1) / 60) * 3_600 + (queries.last.map(seconds) ?? 0)
        let spread = queries.map(seconds).reduce(0, +) / 5
        let writeBound = writes.map(seconds).reduce(0, +) / 10
        return Phase(virtualSeconds: Double(end.milliseconds - start.milliseconds) / 1_000,
                     boundSeconds: max(hourly, spread) + writeBound,
                     queries: queries.count, meteredQueries: metered, mailchimpRequests: writes.count)
    }

    /// How many `/engage` sessions were opened: a read opens one right after its `/cohorts/list`.
    static func openedSessions(_ queries: [JournalEntry]) -> Int {
        max(1, queries.filter { $0.path.hasSuffix("/cohorts/list") }.count)
    }

    static func seconds(_ entry: JournalEntry) -> Double { Double(entry.end.milliseconds - entry.time.milliseconds) / 1_000 }
}

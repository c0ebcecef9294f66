import ExportEngine
import FakeMailchimp
import FakeMixpanel
import Foundation
import SimCore
import SimHTTP

/// `cohortsim bench --capacity`: how long exports take in *virtual* time once the services'
/// latency and limits bind, against the bound those limits set.
///
/// The world is ``Benchmark``'s synthetic one with the default latency models and limits on.
/// It measures a first dynamic export, its scheduled re-sync after 1 % churn, and, with more
/// than one sync, that many one-time exports of smaller cohorts (the cohort cut into `syncs`
/// shards, one audience each) started together on the same key and project. Each phase's
/// bound comes from the requests the engine actually sent (journalled with their service times):
///
/// - reads: the Query API's 60 queries per rolling hour (the n-th metered query cannot start
///   before ⌊(n − 1) / 60⌋ hours after the first) plus the last query's service time; or the
///   chain every read must follow — `/cohorts/list`, then the session's first `/engage` page
///   (its `session_id` is what the other pages need), then the other pages spread over the 5
///   concurrent queries (or the longest of them) — whichever is longer;
/// - writes: the Mailchimp requests' service times spread over the key's 10 connections, or the
///   chain the writes must follow, whichever is longer: a contact is tagged only once it exists
///   and the tag exists, so some tag write (the shortest, at least) waits for the longer of (tag
///   search, then tag creation) and (the audience's merge fields, which say what a contact may
///   carry, then the longest batch subscribe);
/// - one sync: bound = reads + writes (a run reads the whole cohort before it knows what to
///   remove, so its writes cannot overlap its reads);
/// - several syncs together: one sync's writes may overlap another's reads, so the bound is the
///   longer of (all reads, then the writes of the sync with the fewest) and (the first read's
///   chain, then all writes).
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

    /// The synthetic world with latency and limits at their defaults; with several syncs, one
    /// cohort per shard (`segment = in` and `shard = s<k>`) and one audience per shard.
    func scenario() -> Scenario {
        var scenario = Benchmark(profiles: profiles, seed: seed).scenario()
        scenario.mixpanelOptions.sessionPagesCount = sessionPagesCount
        guard syncs > 1 else { return scenario }
        for shard in 0..<syncs {
            let definition = CohortDefinition.all([
                .property(name: "segment", op: .equals, value: "in"),
                .property(name: "shard", op: .equals, value: .string("s\(shard)")),
            ])
            scenario.mixpanel.cohorts.append(.init(id: Self.shardCohortID(shard), name: "Bench shard \(shard)", definition: definition))
            scenario.mailchimp.audiences.append(.init(id: Self.shardAudienceID(shard), name: "Bench shard \(shard)", members: []))
        }
        return scenario
    }

    static func shardCohortID(_ shard: Int) -> Int64 { Int64(100 + shard) }
    static func shardAudienceID(_ shard: Int) -> String { "benchshard\(shard)" }

    /// Runs the benchmark with every database in a temporary folder that is removed afterwards.
    public func run() async throws -> Figures {
        let directory = NSTemporaryDirectory() + "cohortsim-capacity-\(getpid())-\(profiles)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let scenario = scenario()
        let rig = try await BenchRig(scenario: scenario, directory: directory, profiles: profiles,
                                     shards: syncs > 1 ? syncs : 1, seed: seed)
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
                                  firstExport: Self.phase(journal.journal, from: first.started, to: first.finished, sessionPagesCount: sessionPagesCount),
                                  resync: Self.phase(journal.journal, from: resync.started, to: resync.finished, sessionPagesCount: sessionPagesCount),
                                  slotsSkippedByFirstExport: first.slotsSkipped, allSyncs: nil)
            if syncs > 1 {
                // Stop the dynamic sync first so its slots do not mix into the measurement.
                try await engine.stop(syncID: first.syncID)
                let started = simulation.clock.now
                let reports = try await withThrowingTaskGroup(of: RunReport.self) { group in
                    for shard in 0..<syncs {
                        group.addTask {
                            try await engine.startExport(cohortID: Self.shardCohortID(shard), cohortName: "Bench shard \(shard)",
                                                         audienceID: Self.shardAudienceID(shard), mode: .oneTime)
                        }
                    }
                    return try await group.reduce(into: [RunReport]()) { $0.append($1) }
                }
                for report in reports { try Self.require(report) }
                let finished = reports.map(\.finished).max() ?? started
                figures.allSyncs = Self.phase(journal.journal, from: started, to: finished, sessionPagesCount: sessionPagesCount,
                                              audiences: (0..<syncs).map(Self.shardAudienceID))
            }
            return figures
        }
    }

    static func require(_ report: RunReport) throws {
        guard report.outcome == .succeeded else {
            throw EngineError("capacity benchmark run \(report.number) did not succeed: \(report.outcome) \(report.error)")
        }
    }

    /// The phase between `start` and `end`, with its bound from the requests sent in it. With
    /// `audiences` (several syncs together), the writes are grouped by the audience they went to.
    static func phase(_ journal: [JournalEntry], from start: SimTime, to end: SimTime, sessionPagesCount: Bool,
                      audiences: [String] = []) -> Phase {
        let entries = journal.filter { $0.time >= start && $0.time <= end }
        let queries = entries.filter { $0.service == "mixpanel" && ($0.path.contains("/query/") || $0.path.contains("/2.0/")) }
        let writes = entries.filter { $0.service == "mailchimp" }
        // Without session pages counting, a read meters its opening page only: one per session.
        let sessions = queries.filter { $0.path.hasSuffix("/engage") }.count
        let metered = sessionPagesCount ? queries.count : queries.count - max(0, sessions - Self.openedSessions(queries))
        let hourly = Double((max(1, metered) - 1) / 60) * 3_600 + (queries.last.map(seconds) ?? 0)
        let head = Self.readHead(queries)
        let total = queries.map(seconds).reduce(0, +)
        let writeBound = max(writes.map(seconds).reduce(0, +) / 10, Self.writeChain(writes))
        let bound: Double
        if audiences.count > 1 {
            let reads = max(hourly, total / 5, head)
            let fewestWrites = audiences.map { audience in
                writes.filter { $0.path.contains("/lists/\(audience)") }.map(seconds).reduce(0, +) / 10
            }.min() ?? 0
            bound = max(reads + fewestWrites, head + writeBound)
        } else {
            let rest = queries.dropFirst(2).map(seconds)
            bound = max(hourly, head + max((total - head) / 5, rest.max() ?? 0)) + writeBound
        }
        // Whole milliseconds, as the journal's times are (sums of durations in seconds drift).
        return Phase(virtualSeconds: Double(end.milliseconds - start.milliseconds) / 1_000, boundSeconds: (bound * 1_000).rounded() / 1_000,
                     queries: queries.count, meteredQueries: metered, mailchimpRequests: writes.count)
    }

    /// The first read's sequential head: its `/cohorts/list`, then the session's first
    /// `/engage` page, end to end.
    static func readHead(_ queries: [JournalEntry]) -> Double {
        let list = queries.first { $0.path.hasSuffix("/cohorts/list") }.map(seconds) ?? 0
        let firstPage = queries.first { $0.path.hasSuffix("/engage") }.map(seconds) ?? 0
        return list + firstPage
    }

    /// The sequential part of a run's Mailchimp writes (see the type's documentation), from the
    /// first of each kind of request and the last tag write.
    static func writeChain(_ writes: [JournalEntry]) -> Double {
        func durations(_ kind: WriteKind) -> [Double] { writes.filter { WriteKind($0) == kind }.map(seconds) }
        let tag = (durations(.tagSearch).first ?? 0) + (durations(.tagCreation).first ?? 0)
        let contacts = (durations(.mergeFields).first ?? 0) + (durations(.batchSubscribe).max() ?? 0)
        return max(tag, contacts) + (durations(.tagMembers).min() ?? 0)
    }

    /// The Mailchimp requests whose order a run cannot change.
    enum WriteKind: Equatable {
        case tagSearch, tagCreation, mergeFields, batchSubscribe, tagMembers, other

        init(_ entry: JournalEntry) {
            let parts = entry.path.split(separator: "/")
            // /3.0/lists/{id}[/…]
            guard parts.count >= 3, parts[1] == "lists" else { self = .other; return }
            switch (entry.method, parts.count, parts.count > 3 ? String(parts[3]) : "") {
            case ("GET", 4, "tag-search"): self = .tagSearch
            case ("POST", 4, "segments"): self = .tagCreation
            case ("GET", 4, "merge-fields"): self = .mergeFields
            case ("POST", 3, _): self = .batchSubscribe
            case ("POST", 5, "segments"): self = .tagMembers
            default: self = .other
            }
        }
    }

    /// How many `/engage` sessions were opened: a read opens one right after its `/cohorts/list`.
    static func openedSessions(_ queries: [JournalEntry]) -> Int {
        max(1, queries.filter { $0.path.hasSuffix("/cohorts/list") }.count)
    }

    static func seconds(_ entry: JournalEntry) -> Double { Double(entry.end.milliseconds - entry.time.milliseconds) / 1_000 }
}

import ExportEngine
import FakeMailchimp
import FakeMixpanel
import Foundation
import SimCore

/// `cohortsim bench`: a synthetic world of N profiles exported through the in-process fakes —
/// a first export, then a dynamic re-sync with 1 % churn — with wall time, peak memory and
/// Mailchimp requests against the lower bound.
public struct Benchmark: Sendable {
    /// The measured figures.
    public struct Figures: Sendable, Equatable {
        public var profiles: Int
        public var firstExportSeconds: Double
        public var resyncSeconds: Double
        public var peakRSSBytes: Int
        public var firstExportRequests: Int
        public var firstExportLowerBound: Int
        public var resyncRequests: Int
        public var resyncLowerBound: Int
        public var exported: Int
        public var resyncAdded: Int
        public var resyncRemoved: Int

        public var json: JSONValue {
            ["profiles": .int(Int64(profiles)), "first_export_seconds": .double(firstExportSeconds),
             "resync_seconds": .double(resyncSeconds), "peak_rss_bytes": .int(Int64(peakRSSBytes)),
             "first_export_requests": .int(Int64(firstExportRequests)), "first_export_lower_bound": .int(Int64(firstExportLowerBound)),
             "resync_requests": .int(Int64(resyncRequests)), "resync_lower_bound": .int(Int64(resyncLowerBound)),
             "exported": .int(Int64(exported)), "resync_added": .int(Int64(resyncAdded)), "resync_removed": .int(Int64(resyncRemoved))]
        }
    }

    public let profiles: Int
    public let seed: UInt64

    public init(profiles: Int, seed: UInt64 = 1) {
        self.profiles = profiles
        self.seed = seed
    }

    /// Profiles are written into the fake Mixpanel this many at a time, so the generator never
    /// holds the whole world.
    static let seedChunk = 20_000

    /// The synthetic world without its profiles (see ``profiles(in:)``, streamed into the fake
    /// Mixpanel in chunks): the anonymous users' events, 2 % of exportable addresses already
    /// unsubscribed in Mailchimp; the cohort is `segment = in` (90 % of users).
    public func scenario() -> Scenario {
        let start = SimTime(iso8601: "2026-06-01T08:00:00Z")!
        let members = stride(from: 0, to: profiles, by: 1).filter { Self.kind(of: $0) == .withEmail && $0 % 50 == 10 }
            .map { MailchimpWorld.Member(email: "user\($0)@freddiesjokes.com", status: "unsubscribed") }
        let events = stride(from: 0, to: profiles, by: 1).filter { Self.kind(of: $0) == .anonymous }.map { i in
            MixpanelWorld.Event(name: "Visit", time: start.adding(.hours(-1)), properties: ["distinct_id": .string("u\(i)")])
        }
        let mixpanel = MixpanelWorld(projectID: 1001, token: "benchtoken", idMerge: .simplified,
                                     serviceAccounts: [.init(username: "bench", secret: "bench-secret", role: .admin)],
                                     profiles: [], events: events,
                                     cohorts: [.init(id: 1, name: "Bench Cohort", definition: .property(name: "segment", op: .equals, value: "in"))])
        let mailchimp = MailchimpWorld(apiKey: "0123456789abcdef0123456789abcdef-us6",
                                       audiences: [.init(id: "benchlist1", name: "Bench", members: members)])
        return Scenario(file: "bench", id: "bench", name: "bench \(profiles)", description: "", tags: [], seed: seed,
                        start: start, mixpanel: mixpanel, mailchimp: mailchimp, engine: EngineSettings(), steps: [])
    }

    /// What user `i` of the synthetic world is: 5 % anonymous (events only), 3 % with a profile
    /// but no email, the rest with `user<i>@freddiesjokes.com`.
    enum Kind { case anonymous, withoutEmail, withEmail }

    static func kind(of i: Int) -> Kind {
        switch i % 100 {
        case 0..<5: .anonymous
        case 5..<8: .withoutEmail
        default: .withEmail
        }
    }

    /// The profiles of users `range` (anonymous users have none). With `shards` above 1 each
    /// profile also carries `shard = s<i mod shards>`, so the capacity benchmark can define one
    /// smaller cohort per sync.
    static func profiles(in range: Range<Int>, shards: Int = 1) -> [MixpanelWorld.Profile] {
        range.compactMap { i in
            let segment: JSONValue = i % 10 == 9 ? "out" : "in"
            var properties: [String: JSONValue]
            switch kind(of: i) {
            case .anonymous: return nil
            case .withoutEmail: properties = ["segment": segment, "$first_name": "Nomail"]
            case .withEmail: properties = ["$email": .string("user\(i)@freddiesjokes.com"), "segment": segment]
            }
            if shards > 1 { properties["shard"] = .string(shardName(of: i, shards: shards)) }
            return .init(distinctID: "u\(i)", properties: properties)
        }
    }

    /// The shard user `i` belongs to when the world is cut into `shards` cohorts.
    static func shardName(of i: Int, shards: Int) -> String { "s\(i % shards)" }

    /// Runs the benchmark, with every database in a temporary folder that is removed afterwards.
    public func run() async throws -> Figures {
        let directory = NSTemporaryDirectory() + "cohortsim-bench-\(getpid())-\(profiles)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try await run(in: directory)
    }

    private func run(in directory: String) async throws -> Figures {
        var timeless = scenario()
        // Throughput of the code, not of the services: no modelled service time and no query
        // limit (the capacity benchmark, `bench --capacity`, measures those).
        timeless.mailchimpLatency = .off
        timeless.mixpanelOptions.latency = .off
        timeless.mixpanelOptions.queryRateLimit = false
        // The engine's own query pacer would otherwise spread 900 pages over 15 virtual hours.
        timeless.mixpanelOptions.sessionPagesCount = false
        let scenario = timeless
        let rig = try await BenchRig(scenario: scenario, directory: directory, profiles: profiles, seed: seed)
        let (simulation, fakes, engine) = (rig.simulation, rig.fakes, rig.engine)
        let profiles = self.profiles
        return try await simulation.run {
            _ = await engine.connect(apiKey: scenario.mailchimp.apiKey)
            let wall = ContinuousClock()  // wall-clock ok: the benchmark measures real time
            let firstStart = wall.now
            let first = try await engine.startExport(cohortID: 1, cohortName: "Bench Cohort", audienceID: "benchlist1", mode: .dynamic)
            let firstSeconds = Self.seconds(wall.now - firstStart)
            let churn = try Self.churn(profiles: profiles, token: scenario.mixpanel.token)
            _ = try fakes.mixpanel.applyProfileUpdates(churn)
            guard first.finished < first.started.adding(.hours(2)) else {
                throw EngineError("the first export took \(first.finished.duration(since: first.started)) of virtual time, past its next slot")
            }
            let resyncStart = wall.now
            try await simulation.clock.sleep(until: first.started.adding(.hours(2)), priority: .timeline)
            await engine.quiesce()
            let resyncSeconds = Self.seconds(wall.now - resyncStart)
            let runs = try await engine.runs()
            guard runs.count >= 2, let resync = runs.last else { throw EngineError("the re-sync did not run") }
            guard first.outcome == .succeeded, resync.outcome == .succeeded else {
                throw EngineError("a benchmark run did not succeed: \(first.outcome) \(first.error) / \(resync.outcome) \(resync.error)")
            }
            return Figures(profiles: profiles, firstExportSeconds: firstSeconds, resyncSeconds: resyncSeconds,
                           peakRSSBytes: Self.peakRSS(), firstExportRequests: first.mailchimpRequests,
                           firstExportLowerBound: Self.ceil(Self.sentForCreation(first)) + Self.ceil(first.added),
                           resyncRequests: resync.mailchimpRequests,
                           resyncLowerBound: Self.ceil(resync.added) * 2 + Self.ceil(resync.removed),
                           exported: first.exported, resyncAdded: resync.added, resyncRemoved: resync.removed)
        }
    }

    /// 1 % churn: one user in 200 leaves the cohort and one in 200 (with an email) joins it.
    static func churn(profiles: Int, token: String) throws -> [JSONValue] {
        var updates: [JSONValue] = []
        for base in stride(from: 0, to: profiles, by: 200) {
            for (offset, segment) in [(20, "out"), (129, "in")] where base + offset < profiles {
                updates.append(["$token": .string(token), "$distinct_id": .string("u\(base + offset)"), "$set": ["segment": .string(segment)]])
            }
        }
        return updates
    }

    static func ceil(_ count: Int) -> Int { (count + 499) / 500 }

    /// The contacts a first export sends to batch subscribe: every add, including those Mailchimp
    /// then refuses or reports as existing with a compliance status (the engine cannot know them
    /// in advance; no skip list exists yet).
    static func sentForCreation(_ run: RunReport) -> Int {
        run.added + run.rejected.values.reduce(0, +)
            + run.skipped.filter { $0.key.hasPrefix("compliance: ") }.values.reduce(0, +)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Peak resident set size of this process, from `getrusage` (kilobytes on Linux).
    static func peakRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}

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

    /// The synthetic world: 5 % anonymous (events only), 3 % without email, 2 % of exportable
    /// addresses already unsubscribed in Mailchimp; the cohort is `segment = in` (90 % of users).
    public func scenario() -> Scenario {
        var profileList: [MixpanelWorld.Profile] = []
        var events: [MixpanelWorld.Event] = []
        var members: [MailchimpWorld.Member] = []
        let start = SimTime(iso8601: "2026-06-01T08:00:00Z")!
        profileList.reserveCapacity(profiles)
        for i in 0..<profiles {
            let id = "u\(i)"
            let inCohort: JSONValue = i % 10 == 9 ? "out" : "in"
            switch i % 100 {
            case 0..<5:
                events.append(.init(name: "Visit", time: start.adding(.hours(-1)), properties: ["distinct_id": .string(id)]))
            case 5..<8:
                profileList.append(.init(distinctID: id, properties: ["segment": inCohort, "$first_name": "Nomail"]))
            default:
                profileList.append(.init(distinctID: id, properties: ["$email": .string("user\(i)@example.com"), "segment": inCohort]))
                if i % 50 == 10 { members.append(.init(email: "user\(i)@example.com", status: "unsubscribed")) }
            }
        }
        let mixpanel = MixpanelWorld(projectID: 1001, token: "benchtoken", idMerge: .simplified,
                                     serviceAccounts: [.init(username: "bench", secret: "bench-secret", role: .admin)],
                                     profiles: profileList, events: events,
                                     cohorts: [.init(id: 1, name: "Bench Cohort", definition: .property(name: "segment", op: .equals, value: "in"))])
        let mailchimp = MailchimpWorld(apiKey: "0123456789abcdef0123456789abcdef-us6",
                                       audiences: [.init(id: "benchlist1", name: "Bench", members: members)])
        return Scenario(file: "bench", id: "bench", name: "bench \(profiles)", description: "", tags: [], seed: seed,
                        start: start, mixpanel: mixpanel, mailchimp: mailchimp, engine: EngineSettings(), steps: [])
    }

    /// Runs the benchmark.
    public func run() async throws -> Figures {
        let scenario = scenario()
        let simulation = Simulation(start: scenario.start)
        let fakes = try Fakes(scenario: scenario, clock: simulation.clock)
        let network = try await Network.make(.inProcess, fakes: fakes, simulation: simulation)
        let profiles = self.profiles
        return try await simulation.run {
            let world = try World(scenario: scenario, simulation: simulation, fakes: fakes, network: network)
            _ = await world.engine.connect(apiKey: scenario.mailchimp.apiKey)
            let wall = ContinuousClock()  // wall-clock ok: the benchmark measures real time
            let firstStart = wall.now
            let first = try await world.engine.startExport(cohortID: 1, cohortName: "Bench Cohort", audienceID: "benchlist1", mode: .dynamic)
            let firstSeconds = Self.seconds(wall.now - firstStart)
            let churn = try Self.churn(profiles: profiles, token: scenario.mixpanel.token)
            _ = try world.mixpanel.applyProfileUpdates(churn)
            let resyncStart = wall.now
            await world.engine.runDue()
            try await simulation.clock.sleep(until: first.started.adding(.hours(2)), priority: .timeline)
            await world.engine.quiesce()
            let resyncSeconds = Self.seconds(wall.now - resyncStart)
            let runs = try await world.engine.runs()
            guard let resync = runs.last, runs.count >= 2 else { throw EngineError("the re-sync did not run") }
            let createsFirst = first.added
            return Figures(profiles: profiles, firstExportSeconds: firstSeconds, resyncSeconds: resyncSeconds,
                           peakRSSBytes: Self.peakRSS(), firstExportRequests: first.mailchimpRequests,
                           firstExportLowerBound: Self.ceil(createsFirst) + Self.ceil(first.added),
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

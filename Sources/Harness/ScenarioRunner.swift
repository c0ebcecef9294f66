import ExportEngine
import FakeMailchimp
import FakeMixpanel
import Foundation
import SimCore
import SimHTTP
import Synchronization

/// How the engine reaches the fakes in a scenario.
public enum TransportMode: String, Sendable, CaseIterable {
    /// Straight into the fakes' handlers: no sockets, fully deterministic (the default).
    case inProcess = "in-process"
    /// Over real HTTP on 127.0.0.1 (Hummingbird servers, AsyncHTTPClient), to check that the
    /// transport does not change the outcome.
    case loopback
}

/// Replays one scenario on a virtual clock against the real engine and the fakes.
public struct ScenarioRunner: Sendable {
    public let transport: TransportMode
    /// Whether the trace samples each sync's audience after every step (for `--report`; it
    /// reads both fakes once per step, so it is off unless asked for).
    public let samplesAudience: Bool

    public init(transport: TransportMode = .inProcess, samplesAudience: Bool = false) {
        self.transport = transport
        self.samplesAudience = samplesAudience
    }

    /// Runs `scenario` and returns its outcome: the golden document and any failed inline expectation.
    public func run(_ scenario: Scenario) async throws -> ScenarioOutcome {
        try await run(scenario, observer: nil)
    }

    /// Runs `scenario`, letting `observer` look at the world before the first step, after every
    /// step and at the end (the fuzzer's invariants).
    func run(_ scenario: Scenario, observer: (any ReplayObserver)?) async throws -> ScenarioOutcome {
        let simulation = Simulation(start: scenario.start)
        let fakes = try Fakes(scenario: scenario, clock: simulation.clock)
        let network = try await Network.make(transport, fakes: fakes, simulation: simulation)
        do {
            let outcome = try await replay(scenario, simulation: simulation, fakes: fakes, network: network, observer: observer)
            try await network.stop()
            return outcome
        } catch {
            // The replay's own error is the one to report; a failure to shut the loopback
            // client down on the way out would only hide it.
            do { try await network.stop() } catch {}
            throw error
        }
    }

    private func replay(_ scenario: Scenario, simulation: Simulation, fakes: Fakes, network: Network,
                        observer: (any ReplayObserver)?) async throws -> ScenarioOutcome {
        try await simulation.run {
            let world = try World(scenario: scenario, simulation: simulation, fakes: fakes, network: network)
            try await observer?.begin(world)
            var timeline: [String] = []
            var steps: [TraceStep] = []
            var sampler = samplesAudience ? try AudienceSampler(world) : nil
            var failures: [String] = []
            for (index, step) in scenario.steps.enumerated() {
                do {
                    switch try await world.play(step, index: index) {
                    case .checked(let problems):
                        failures += problems
                    case .performed(let began, let result):
                        timeline.append("\(began) step \(index + 1) (line \(step.line)): " + result)
                        steps.append(TraceStep(number: index + 1, line: step.line, kind: step.action.kind, began: began, ended: world.clock.now, result: result))
                        try await sampler?.after(step: index + 1, began: began, in: world)
                        try await observer?.after(step: index + 1, step.action, result: result, in: world)
                    }
                } catch let error as StepFailure {
                    throw StepError(file: scenario.file, line: step.line, step: index + 1, message: error.message)
                }
            }
            await world.engine.quiesce()
            if let failure = await world.engine.scheduleFailure {
                failures.append("\(scenario.file): the engine's schedule failed: \(failure)")
            }
            failures += LimitUsage(journal: world.journal.journal).violations.map { "\(scenario.file): \($0)" }
            let stateChanges = try await world.engine.stateChanges()
            let runs = try await world.engine.runs(includingChanges: true)
            let document = try OutcomeRenderer(scenario: scenario, timeline: timeline,
                                               audiences: try world.mailchimp.dump(), syncs: try await world.engine.syncs(),
                                               stateChanges: stateChanges, runs: runs, journal: world.journal.journal,
                                               cohorts: try world.cohortLines(), mixpanel: try await world.mixpanelLines()).render()
            let texts = [("the outcome document", document)] + runs.map { ("run \($0.number)'s error", $0.error) }
                + stateChanges.enumerated().map { ("state change \($0.offset + 1)'s reason", $0.element.reason) }
            failures += SecretScan(scenario).leaks(in: texts).map { "\(scenario.file): \($0)" }
            try await observer?.end(world, document: document)
            let trace = ScenarioTrace(start: scenario.start, end: world.clock.now, steps: steps, runs: runs.map(ScenarioTrace.run),
                                      requests: ScenarioTrace.requests(world.journal.journal), samples: sampler?.samples ?? [],
                                      faultWindows: ScenarioTrace.faultWindows(scenario))
            return ScenarioOutcome(document: document, expectationFailures: failures, trace: trace)
        }
    }
}

/// Watches a replay from inside the simulation: the fuzzer's invariant checks.
protocol ReplayObserver: Sendable {
    func begin(_ world: World) async throws
    func after(step: Int, _ action: Step.Action, result: String, in world: World) async throws
    func end(_ world: World, document: String) async throws
}

/// What one scenario run produced.
public struct ScenarioOutcome: Sendable, Equatable {
    /// The canonical outcome document compared with the golden.
    public var document: String
    /// Inline expectations that did not hold, each naming file, line and step.
    public var expectationFailures: [String]
    /// The replay as values, for the HTML report. Not compared by `==`: an outcome is its
    /// document and its failures (the trace is derived from the same replay).
    public var trace: ScenarioTrace

    public static func == (a: ScenarioOutcome, b: ScenarioOutcome) -> Bool {
        a.document == b.document && a.expectationFailures == b.expectationFailures
    }
}

/// A step that cannot be carried out in this world (e.g. it names a cohort that does not exist).
struct StepFailure: Error {
    var message: String
}

/// The simulated world of one scenario: both fakes, the engine and the journal of its requests.
final class World: Sendable {
    let scenario: Scenario
    let clock: VirtualClock
    let mailchimp: FakeMailchimp
    let mixpanel: FakeMixpanel
    let journal: JournalingTransport
    private let engineState: Mutex<ExportEngine>
    private let makeEngine: @Sendable () throws -> ExportEngine
    /// The engine's state file when the scenario restarts it (in memory otherwise).
    let engineDatabase: String?

    /// The engine now (a `restart` step replaces it).
    var engine: ExportEngine { engineState.withLock { $0 } }

    init(scenario: Scenario, simulation: Simulation, fakes: Fakes, network: Network) throws {
        self.scenario = scenario
        let clock = simulation.clock
        self.clock = clock
        mailchimp = fakes.mailchimp
        mixpanel = fakes.mixpanel
        journal = JournalingTransport(wrapping: network.transport, clock: clock, captureBodies: scenario.expectsRequestBodies,
                                      serviceName: network.serviceName)
        let account = scenario.mixpanel.serviceAccounts.first
        let configuration = EngineConfiguration(
            mixpanel: .init(projectID: scenario.mixpanel.projectID, username: account?.username ?? "",
                            secret: account?.secret ?? "", queryURL: network.mixpanelQueryURL, ingestURL: network.mixpanelIngestURL),
            mailchimpBaseURL: network.mailchimpBaseURL,
            statusIfNew: scenario.engine.statusIfNew, existingContacts: scenario.engine.existingContacts)
        let databasePath = scenario.restartsEngine ? EngineFiles.temporaryPath() : nil
        engineDatabase = databasePath
        let journal = self.journal
        makeEngine = {
            try ExportEngine(configuration: configuration, transport: journal, clock: clock, seed: scenario.seed,
                             databasePath: databasePath, executor: simulation)
        }
        engineState = Mutex(try makeEngine())
    }

    /// Replaces the engine with a new instance on the same state file.
    func restartEngine() throws -> ExportEngine {
        let fresh = try makeEngine()
        engineState.withLock { $0 = fresh }
        return fresh
    }

    deinit {
        if let engineDatabase { EngineFiles.remove(engineDatabase) }
    }

    /// Carries out one step and describes its result in one line. One exhaustive switch: a new
    /// step kind does not compile until it is handled here.
    func perform(_ action: Step.Action) async throws -> String {
        switch action {
        case .connect(let apiKey):
            let status = await engine.connect(apiKey: apiKey ?? scenario.mailchimp.apiKey)
            return "connect: \(status)"
        case .disconnect:
            try await engine.disconnect()
            return "disconnect: every sync stopped"
        case .export(let cohort, let audience, let mode):
            let (cohortID, cohortName) = try resolveCohort(cohort)
            let audienceID = try resolveAudience(audience)
            do {
                let report = try await engine.startExport(cohortID: cohortID, cohortName: cohortName, audienceID: audienceID, mode: mode)
                return "export \(mode.rawValue) of cohort \(cohortID) to audience \(audienceID): run \(report.number) \(report.outcome.rawValue)"
            } catch let crash as SimulatedCrash {
                return "export \(mode.rawValue) of cohort \(cohortID) to audience \(audienceID): engine died (\(crash))"
            }
        case .stopExport(let cohort, let audience):
            let (cohortID, _) = try resolveCohort(cohort, allowDeleted: true)
            let audienceID = try resolveAudience(audience)
            let syncs = try await engine.syncs().filter { $0.cohortID == cohortID && $0.audienceID == audienceID && $0.mode == .dynamic }
            guard let sync = syncs.last else { throw StepFailure(message: "no dynamic export of cohort \(cohort) to \(audience) to stop") }
            try await engine.stop(syncID: sync.id)
            return "stop export: sync \(sync.id) stopped"
        case .wait(let duration):
            try await clock.sleep(until: clock.now.adding(duration), priority: .timeline)
            return "waited \(duration)"
        case .setProfile(let id, let set, let unset):
            var update: [String: JSONValue] = ["$token": .string(scenario.mixpanel.token), "$distinct_id": .string(id)]
            if !set.isEmpty { update["$set"] = .object(set) }
            if !unset.isEmpty { update["$unset"] = .array(unset.map { .string($0) }) }
            let errors = try mixpanel.applyProfileUpdates([.object(update)])
            if let error = errors.first { throw StepFailure(message: "profile update refused: \(error)") }
            return "profile \(id) updated"
        case .deleteProfile(let id):
            _ = try mixpanel.applyProfileUpdates([["$token": .string(scenario.mixpanel.token), "$distinct_id": .string(id), "$delete": ""]])
            return "profile \(id) deleted"
        case .renameCohort(let cohort, let name):
            let (id, _) = try resolveCohort(cohort)
            _ = try mixpanel.renameCohort(id: id, to: name)
            return "cohort \(id) renamed to \"\(name)\""
        case .deleteCohort(let cohort):
            let (id, _) = try resolveCohort(cohort)
            _ = try mixpanel.deleteCohort(id: id)
            return "cohort \(id) deleted"
        case .expect:
            return "expectations checked"
        case .track(let event, let properties, let time): return try track(event, properties: properties, at: time)
        case .contact(let audience, let email, let contactAction, let to): return try contact(audience: audience, email: email, action: contactAction, to: to)
        case .campaign(let audience, let tag, let subject, let activity): return try campaign(audience: audience, tag: tag, subject: subject, activity: activity)
        case .revokeAPIKey: return revokeAPIKey()
        case .newAPIKey(let key): return try newAPIKey(key)
        case .resume(let cohort, let audience): return try await resume(cohort: cohort, audience: audience)
        case .preview(let cohort, let audience): return try await preview(cohort: cohort, audience: audience)
        case .deleteAudience(let audience): return try deleteAudience(audience)
        case .crash(let point): return await crash(at: point)
        case .restart: return try await restart()
        case .importEngagement(let audience): return try await importEngagement(audience: audience)
        }
    }

    /// Each cohort's members now, for the outcome document.
    func cohortLines() throws -> [String] {
        try mixpanel.cohorts().map { cohort in
            let members = try mixpanel.members(ofCohort: cohort.id) ?? []
            // Past the renderer's detail limit: the first 20, a count and a digest of all.
            let shown = members.count > OutcomeRenderer.detailLimit
                ? members.prefix(20).joined(separator: ", ") + ", … \(members.count - 20) more (digest "
                    + StableHash.hex(seed: 0, length: 16, members.joined(separator: "\n")) + ")"
                : members.joined(separator: ", ")
            return "cohort \(cohort.id) \"\(cohort.name)\": \(members.count) member" + (members.count == 1 ? "" : "s")
                + (members.isEmpty ? "" : ": " + shown)
        }
    }

    func resolveCohort(_ reference: String, allowDeleted: Bool = false) throws -> (Int64, String) {
        let cohorts = try mixpanel.cohorts()
        if let match = cohorts.first(where: { $0.name == reference || String($0.id) == reference }) { return (match.id, match.name) }
        if allowDeleted, let id = Int64(reference) { return (id, reference) }
        if allowDeleted, let original = scenario.mixpanel.cohorts.first(where: { $0.name == reference }) { return (original.id, original.name) }
        let known = cohorts.map { "\($0.name) (\($0.id))" }.joined(separator: ", ")
        throw StepFailure(message: "no cohort named or numbered '\(reference)'; the project has: \(known.isEmpty ? "none" : known)")
    }

    func resolveAudience(_ reference: String) throws -> String {
        let audiences = try mailchimp.dump()
        if let match = audiences.first(where: { $0.name == reference || $0.id == reference }) { return match.id }
        let known = audiences.map { "\($0.name) (\($0.id))" }.joined(separator: ", ")
        throw StepFailure(message: "no audience named or with id '\(reference)'; the account has: \(known.isEmpty ? "none" : known)")
    }
}

import Foundation
import SimCore
import SimHTTP
import Synchronization

/// The Mixpanel → Mailchimp cohort export engine.
///
/// It connects a Mailchimp account by API key, exports cohorts to audiences once or every two
/// hours, keeps the last successful snapshot per (cohort, audience) in SQLite, and records every
/// run. Time comes from the injected clock, HTTP from the injected transport, and randomness
/// (retry jitter) from the seed, so a scenario replays identically.
public actor ExportEngine {
    /// Whether the engine holds a working Mailchimp connection.
    public enum ConnectionStatus: Sendable, Equatable, CustomStringConvertible {
        case connected(dataCenter: String)
        case notConnected(reason: String)

        public var description: String {
            switch self {
            case .connected(let dc): "Connected (\(dc))"
            case .notConnected(let reason): "Not connected: \(reason)"
            }
        }
    }

    private let configuration: EngineConfiguration
    private let transport: any HTTPTransport
    private let clock: any SimClock
    private let seed: UInt64
    private let store: SyncStore
    private let runLock = RunLock()
    private var sleeper: Task<Void, Never>?
    private var runningDue = false
    /// Where background work (the schedule) runs: the simulation's executor in scenarios.
    private let executor: (any TaskExecutor)?

    /// Opens (or creates) the engine's state at `databasePath` (`nil`: in memory). Background
    /// work runs on `executor` when given (a simulation), else on the global executor.
    public init(configuration: EngineConfiguration, transport: any HTTPTransport, clock: any SimClock,
                seed: UInt64, databasePath: String? = nil, executor: (any TaskExecutor)? = nil) throws {
        self.executor = executor
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.seed = seed
        store = try SyncStore(path: databasePath)
    }

    // MARK: Connection

    /// Validates `apiKey` with `GET /ping` and stores it.
    public func connect(apiKey: String) async -> ConnectionStatus {
        guard let dc = apiKey.split(separator: "-").last.map(String.init), apiKey.contains("-"), !dc.isEmpty else {
            return .notConnected(reason: "the API key has no data-centre suffix (expected <key>-<dc>, e.g. …-us6)")
        }
        let client = mailchimpClient(apiKey: apiKey, counter: { })
        do {
            try await client.ping()
            try store.saveConnection(apiKey: apiKey, dataCenter: dc, at: clock.now)
            return .connected(dataCenter: dc)
        } catch let failure as APIFailure {
            return .notConnected(reason: failure.description)
        } catch {
            return .notConnected(reason: "\(error)")
        }
    }

    /// The current connection state.
    public func connectionStatus() throws -> ConnectionStatus {
        guard let connection = try store.connection() else { return .notConnected(reason: "no Mailchimp account connected") }
        return .connected(dataCenter: connection.dataCenter)
    }

    /// Forgets the API key and stops every sync. Mailchimp is left untouched (A41).
    public func disconnect() throws {
        try store.deleteConnection()
        try store.stopAll(reason: "account disconnected")
        reschedule()
    }

    // MARK: Exports

    /// Starts an export of `cohortID` to `audienceID` and performs its first run now. A dynamic
    /// export then re-runs every ``EngineConfiguration/syncInterval`` from the start of its last run.
    /// Any earlier sync of the same pair is replaced; the snapshot is shared, so the new export
    /// overwrites what the old one exported.
    @discardableResult
    public func startExport(cohortID: Int64, cohortName: String, audienceID: String, mode: ExportMode) async throws -> RunReport {
        let id = try store.createSync(cohortID: cohortID, audienceID: audienceID, mode: mode,
                                      tagName: SyncRun.tagName(forCohort: cohortName), at: clock.now)
        let report = await run(syncID: id, trigger: mode == .oneTime ? "one-time" : "initial")
        reschedule()
        return report
    }

    /// Stops a dynamic sync; what it exported stays in Mailchimp (A41).
    public func stop(syncID: Int64) throws {
        try store.setState(sync: syncID, .stopped(reason: "stopped by user"), nextRun: nil)
        reschedule()
    }

    public func syncs() throws -> [SyncInfo] { try store.syncs() }

    public func runs() throws -> [RunReport] { try store.runs() }

    /// Runs every dynamic sync that is due now.
    public func runDue() async {
        runningDue = true
        let now = clock.now
        let due = ((try? store.syncs()) ?? []).filter { $0.state == .active && $0.mode == .dynamic && ($0.nextRun.map { $0 <= now } ?? false) }
        for sync in due { _ = await run(syncID: sync.id, trigger: "scheduled") }
        runningDue = false
        reschedule()
    }

    /// Waits for any run in progress, then cancels the schedule: used when a scenario ends or the
    /// process shuts down.
    public func quiesce() async {
        await runLock.acquire()
        sleeper?.cancel()
        sleeper = nil
        await runLock.release()
    }

    // MARK: Running

    private func run(syncID: Int64, trigger: String) async -> RunReport {
        await runLock.acquire()
        let report = await runHoldingLock(syncID: syncID, trigger: trigger)
        await runLock.release()
        return report
    }

    private func runHoldingLock(syncID: Int64, trigger: String) async -> RunReport {
        let started = clock.now
        var report = RunReport(number: (try? store.nextRunNumber()) ?? 0, syncID: syncID, trigger: trigger, started: started)
        guard let sync = try? store.sync(syncID) else { return report }
        guard let connection = try? store.connection() else {
            report.outcome = .paused
            report.error = "no Mailchimp account connected"
            try? store.setState(sync: syncID, .paused(reason: report.error), nextRun: nil)
            try? store.finish(run: report, cohortID: sync.cohortID, audienceID: sync.audienceID, snapshot: nil)
            return report
        }
        let counts = Mutex((mailchimp: 0, mixpanel: 0))
        let runner = SyncRun(sync: sync, configuration: configuration,
                             mailchimp: mailchimpClient(apiKey: connection.apiKey, counter: { counts.withLock { $0.mailchimp += 1 } }),
                             mixpanel: MixpanelClient(access: configuration.mixpanel,
                                                      sender: sender(counter: { counts.withLock { $0.mixpanel += 1 } })),
                             store: store, clock: clock)
        var result = await runner.perform(into: report)
        result.report.finished = clock.now
        (result.report.mailchimpRequests, result.report.mixpanelRequests) = counts.withLock { ($0.mailchimp, $0.mixpanel) }
        report = result.report
        do {
            try store.finish(run: report, cohortID: sync.cohortID, audienceID: sync.audienceID, snapshot: result.snapshot)
            if let state = result.newState {
                try store.setState(sync: syncID, state, nextRun: nil)
            } else if sync.mode == .dynamic {
                try store.setState(sync: syncID, .active, nextRun: started.adding(configuration.syncInterval))
            } else {
                try store.setState(sync: syncID, .finished, nextRun: nil)
            }
        } catch {
            report.outcome = .failed
            report.error = "could not record the run: \(error)"
        }
        return report
    }

    /// Sleeps until the next due dynamic sync; re-armed whenever the schedule changes.
    private func reschedule() {
        guard !runningDue else { return }
        sleeper?.cancel()
        sleeper = nil
        let next = ((try? store.syncs()) ?? []).filter { $0.state == .active && $0.mode == .dynamic }.compactMap(\.nextRun).min()
        guard let next else { return }
        let clock = self.clock
        sleeper = Task(executorPreference: executor) { [weak self] in
            do { try await clock.sleep(until: next) } catch { return }
            await self?.runDue()
        }
    }

    private func sender(counter: @escaping @Sendable () -> Void) -> APISender {
        APISender(transport: transport, clock: clock, seed: seed, onSend: counter)
    }

    private func mailchimpClient(apiKey: String, counter: @escaping @Sendable () -> Void) -> MailchimpClient {
        MailchimpClient(baseURL: MailchimpClient.baseURL(apiKey: apiKey, override: configuration.mailchimpBaseURL),
                        apiKey: apiKey, sender: sender(counter: counter))
    }
}

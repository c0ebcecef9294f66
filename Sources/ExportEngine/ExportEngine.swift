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

    let configuration: EngineConfiguration
    private let transport: any HTTPTransport
    let clock: any SimClock
    private let seed: UInt64
    nonisolated let store: SyncStore
    let runLock = RunLock()
    private var sleeper: Task<Void, Never>?
    private var runningDue = false
    /// Where background work (the schedule) runs: the simulation's executor in scenarios.
    private let executor: (any TaskExecutor)?
    /// Crash points armed now (from the configuration, or ``armCrash(at:)``).
    private var crashPoints: Set<CrashPoint>
    /// Set when a simulated crash killed this instance: it does nothing more.
    private(set) var crash: SimulatedCrash?
    /// Paces every Mixpanel query of the engine within the project's limits.
    let queryPacer: QueryPacer
    /// Keeps every Mailchimp request of the engine within the account's connections, per API key.
    private var connectionGates: [String: ConnectionGate] = [:]

    /// Opens (or creates) the engine's state at `databasePath` (`nil`: in memory). Background
    /// work runs on `executor` when given (a simulation), else on the global executor.
    ///
    /// After opening a database that a stopped process used, call ``recoverInterruptedRuns()``
    /// (``runDue()`` also does it first) to finish any run the process did not complete.
    public init(configuration: EngineConfiguration, transport: any HTTPTransport, clock: any SimClock,
                seed: UInt64, databasePath: String? = nil, executor: (any TaskExecutor)? = nil) throws {
        self.executor = executor
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.seed = seed
        crashPoints = configuration.crashPoints
        queryPacer = QueryPacer(clock: clock)
        store = try SyncStore(path: databasePath)
    }

    // MARK: Connection

    /// Checks that the Mixpanel service account may enable the integration (owner or admin of
    /// the project, unless ``EngineConfiguration/requireAdminRole`` is off), validates `apiKey`
    /// with `GET /ping` and stores it.
    public func connect(apiKey: String) async -> ConnectionStatus {
        if let crash { return .notConnected(reason: "the engine has stopped (\(crash))") }
        guard let dc = apiKey.split(separator: "-").last.map(String.init), apiKey.contains("-"), !dc.isEmpty else {
            return .notConnected(reason: "the API key has no data-centre suffix (expected <key>-<dc>, e.g. …-us6)")
        }
        if configuration.requireAdminRole, let refusal = await mixpanelRoleRefusal() {
            return .notConnected(reason: refusal)
        }
        let client = mailchimpClient(apiKey: apiKey, counter: { })
        do {
            try await client.ping()
            try store.saveConnection(apiKey: apiKey, dataCenter: dc, at: clock.now)
            try resumeDisconnectedSyncs()
            return .connected(dataCenter: dc)
        } catch let failure as APIFailure {
            return .notConnected(reason: failure.description)
        } catch {
            return .notConnected(reason: "\(error)")
        }
    }

    /// Why the configured service account may not enable the integration, or `nil` if it may.
    private func mixpanelRoleRefusal() async -> String? {
        let access = configuration.mixpanel
        let client = MixpanelClient(access: access, sender: sender(counter: { }))
        let account = "the Mixpanel service account \"\(access.username)\""
        do {
            switch try await client.serviceAccountRole() {
            case "owner", "admin": return nil
            case nil: return "\(account) is not a member of project \(access.projectID)"
            case let role?:
                return "\(account) has the \(role) role in project \(access.projectID); only an owner or admin may enable the Mailchimp integration"
            }
        } catch {
            return "could not verify the role of \(account): \(error)"
        }
    }

    /// The current connection state.
    public func connectionStatus() throws -> ConnectionStatus {
        guard let connection = try store.connection() else { return .notConnected(reason: "no Mailchimp account connected") }
        return .connected(dataCenter: connection.dataCenter)
    }

    /// Forgets the API key and stops every sync. Mailchimp is left untouched (A41).
    public func disconnect() throws {
        if let crash { throw crash }
        try store.deleteConnection()
        try store.stopAll(reason: Self.disconnectedReason, at: clock.now)
        try reschedule()
    }

    // MARK: Exports

    /// Starts an export of `cohortID` to `audienceID` and performs its first run now. A dynamic
    /// export then re-runs every ``EngineConfiguration/syncInterval`` from the start of its last run.
    /// Any earlier sync of the same pair is replaced; the snapshot is shared, so the new export
    /// overwrites what the old one exported.
    ///
    /// - Throws: ``SimulatedCrash`` when the run reached an armed crash point (or the engine had
    ///   already crashed); store errors.
    @discardableResult
    public func startExport(cohortID: Int64, cohortName: String, audienceID: String, mode: ExportMode) async throws -> RunReport {
        if let crash { throw crash }
        let id = try store.createSync(cohortID: cohortID, audienceID: audienceID, mode: mode,
                                      tagName: SyncRun.tagName(forCohort: cohortName), at: clock.now)
        let report = try await run(syncID: id, trigger: mode == .oneTime ? .oneTime : .initial)
        try reschedule()
        return report
    }

    /// Stops a dynamic sync; what it exported stays in Mailchimp (A41).
    public func stop(syncID: Int64) throws {
        if let crash { throw crash }
        try store.setState(sync: syncID, .stopped(reason: "stopped by user"), nextRun: nil, at: clock.now)
        try reschedule()
    }

    public func syncs() throws -> [SyncInfo] { try store.syncs() }

    /// Every change of every sync's state, oldest first, each with its reason.
    public func stateChanges() throws -> [SyncStateChange] { try store.stateChanges() }

    /// Every recorded run, oldest first. Per-member change lists can be large (one entry per
    /// cohort member): they are loaded only `includingChanges`, or one run at a time with
    /// ``changes(run:)``.
    public func runs(includingChanges: Bool = false) throws -> [RunReport] { try store.runs(includingChanges: includingChanges) }

    /// One run's per-member change list.
    public func changes(run number: Int64) throws -> [MemberChange] { try store.changes(run: number) }

    /// Runs every dynamic sync that is due now, after finishing any interrupted run.
    ///
    /// A run's own failures (Mailchimp, Mixpanel, a store error during the run) are recorded in
    /// its report. A simulated crash ends the call quietly, as a process death would.
    ///
    /// - Throws: ``EngineError`` naming what could not be read or recorded when the engine's
    ///   state cannot be read, or a run could not be recorded even as failed. The schedule is then
    ///   not re-armed until the next call that reschedules (``runDue()``, an export, stop,
    ///   disconnect, resume, a reconnect that resumes syncs).
    public func runDue() async throws {
        guard crash == nil else { return }
        if try !stored("list interrupted runs", store.pendingRuns).isEmpty { try await recoverInterruptedRuns() }
        runningDue = true
        defer { runningDue = false }
        let now = clock.now
        let due = try stored("list syncs", store.syncs).filter {
            $0.state == .active && $0.mode == .dynamic && ($0.nextRun.map { $0 <= now } ?? false)
        }
        for sync in due where crash == nil {
            // A stop or disconnect that landed during an earlier run of this pass cancels this one.
            guard try stored("read sync \(sync.id)", { try store.sync(sync.id) })?.state == .active else { continue }
            do {
                _ = try await run(syncID: sync.id, trigger: .scheduled, slot: sync.nextRun)
            } catch is SimulatedCrash {
                return
            }
        }
        runningDue = false
        try reschedule()
    }

    /// Why the last scheduled ``runDue()`` failed, if it did (the schedule then stopped until a
    /// call that reschedules re-armed it). Hosts check it: the harness fails the scenario, the
    /// daemon exits 1.
    public private(set) var scheduleFailure: EngineError?

    /// Waits for any run in progress, then cancels the schedule: used when a scenario ends or the
    /// process shuts down.
    public func quiesce() async {
        await runLock.acquire()
        sleeper?.cancel()
        sleeper = nil
        await runLock.release()
    }

    // MARK: Crash safety

    /// Arms crash points on this instance (testing): the next run that reaches one dies there.
    public func armCrash(at points: Set<CrashPoint>) {
        crashPoints = points
    }

    /// Finishes the work of runs that started and were never recorded because the process
    /// stopped (a crash, a kill, a power cut).
    ///
    /// Each such run is recorded with the outcome ``RunReport/Outcome/interrupted`` (no member
    /// counts: its effects are unknown; the requests it made up to its last checkpoint) and, if its
    /// sync is still active, the sync runs again at once with the trigger `recovery`, diffing against
    /// the last successful snapshot. Every Mailchimp write is idempotent (a contact created before the
    /// crash comes back as existing, tagging a tagged contact and untagging an untagged one change
    /// nothing), so the redo creates no duplicate contact and loses no tag change, and each run is
    /// counted once. Returns the reports it recorded.
    ///
    /// - Throws: ``EngineError`` when the pending runs cannot be read or recorded (they stay
    ///   pending, for the next call); ``SimulatedCrash`` when a recovery run reached an armed crash point.
    @discardableResult
    public func recoverInterruptedRuns() async throws -> [RunReport] {
        guard crash == nil else { return [] }
        await runLock.acquire()
        do {
            let reports = try await recoverHoldingLock()
            await runLock.release()
            try reschedule()
            return reports
        } catch {
            await runLock.release()
            throw error
        }
    }

    private func recoverHoldingLock() async throws -> [RunReport] {
        var reports: [RunReport] = []
        for pending in try stored("list interrupted runs", store.pendingRuns) {
            guard let sync = try stored("read sync \(pending.syncID)", { try store.sync(pending.syncID) }) else {
                throw EngineError("interrupted run \(pending.number) belongs to sync \(pending.syncID), which does not exist")
            }
            var report = RunReport(number: pending.number, syncID: pending.syncID, trigger: pending.trigger, started: pending.started)
            report.finished = pending.stageAt
            report.outcome = .interrupted
            report.error = "the engine stopped during the run (last checkpoint: \(pending.stage)); the next run redoes it"
            (report.mailchimpRequests, report.mixpanelRequests) = (pending.mailchimpRequests, pending.mixpanelRequests)
            try stored("record interrupted run \(pending.number)") {
                try store.finish(run: report, cohortID: sync.cohortID, audienceID: sync.audienceID)
            }
            reports.append(report)
            guard sync.state == .active else { continue }
            reports.append(try await runHoldingLock(syncID: sync.id, trigger: .recovery))
        }
        return reports
    }

    // MARK: Running

    func run(syncID: Int64, trigger: RunTrigger, slot: SimTime? = nil) async throws -> RunReport {
        await runLock.acquire()
        do {
            let report = try await runHoldingLock(syncID: syncID, trigger: trigger, slot: slot)
            await runLock.release()
            return report
        } catch {
            await runLock.release()
            throw error
        }
    }

    /// Performs and records one run. The run is marked pending in SQLite before anything is
    /// written to Mailchimp, and the mark is cleared in the transaction that records it.
    ///
    /// - Throws: ``EngineError`` when the run cannot be numbered or started (nothing was sent), or
    ///   could not be recorded even as failed (its pending mark stays: the next recovery records it
    ///   `interrupted`); ``SimulatedCrash``.
    private func runHoldingLock(syncID: Int64, trigger: RunTrigger, slot: SimTime? = nil) async throws -> RunReport {
        if let crash { throw crash }
        let started = clock.now
        let number = try stored("number the next run", store.nextRunNumber)
        guard let sync = try stored("read sync \(syncID)", { try store.sync(syncID) }) else {
            throw EngineError("sync \(syncID) does not exist")
        }
        var report = RunReport(number: number, syncID: syncID, trigger: trigger, started: started)
        report.slot = slot
        guard let connection = try stored("read the Mailchimp connection", store.connection) else {
            report.outcome = .paused
            report.error = "no Mailchimp account connected"
            try stored("record run \(number)") {
                try store.setState(sync: syncID, .paused(reason: report.error), nextRun: nil, at: clock.now)
                try store.finish(run: report, cohortID: sync.cohortID, audienceID: sync.audienceID)
            }
            return report
        }
        try stored("mark run \(number) as started") { try store.begin(run: number, syncID: syncID, trigger: trigger, at: started) }
        let counts = Mutex((mailchimp: 0, mixpanel: 0))
        var runner = SyncRun(sync: sync, configuration: configuration,
                             mailchimp: mailchimpClient(apiKey: connection.apiKey, counter: { counts.withLock { $0.mailchimp += 1 } },
                                                        beforeAttempt: stillActive(syncID)),
                             mixpanel: MixpanelClient(access: configuration.mixpanel,
                                                      sender: sender(counter: { counts.withLock { $0.mixpanel += 1 } },
                                                                     beforeAttempt: stillActive(syncID))),
                             store: store, clock: clock)
        runner.checkpoint = checkpoint(run: number, requests: { counts.withLock { ($0.mailchimp, $0.mixpanel) } })
        do {
            var result = try await runner.perform(into: report)
            result.report.finished = clock.now
            (result.report.mailchimpRequests, result.report.mixpanelRequests) = counts.withLock { ($0.mailchimp, $0.mixpanel) }
            result.report.slot = slot
            result.report.slotsSkipped = sync.mode == .dynamic && result.newState == nil ? nextSlot(after: result.report).skipped : 0
            try runner.checkpoint(.beforeRecord)
            report = result.report
            try record(result, sync: sync, started: started)
        } catch let crash as SimulatedCrash {
            die(crash)
            throw crash
        } catch {
            report.finished = clock.now
            (report.mailchimpRequests, report.mixpanelRequests) = counts.withLock { ($0.mailchimp, $0.mixpanel) }
            report.outcome = .failed
            report.error = "could not record the run: \(error)"
            report.slotsSkipped = sync.mode == .dynamic ? nextSlot(after: report).skipped : 0
            try recordFailure(report, sync: sync)
            return report
        }
        if sync.mode == .dynamic, configuration.importEngagementAfterDynamicRuns, report.outcome == .succeeded,
           try stored("read sync \(syncID)", { try store.sync(syncID) })?.state == .active {
            _ = try await importEngagementHoldingLock(audienceID: sync.audienceID)
        }
        return report
    }

    /// Records a run whose own record could not be written, as `failed` with that error and no
    /// snapshot change, and schedules its sync as ``record(_:sync:started:)`` would have (only
    /// while the sync is still active).
    private func recordFailure(_ report: RunReport, sync: SyncInfo) throws {
        try stored("record run \(report.number) as failed (\(report.error))") {
            try store.finish(run: report, cohortID: sync.cohortID, audienceID: sync.audienceID)
            try store.settleActive(sync: sync.id, mode: sync.mode, nextRun: nextSlot(after: report).time, at: clock.now)
        }
    }

    /// When a dynamic sync runs next after `report`, and how many of its slots that skips.
    ///
    /// Slots fall every ``EngineConfiguration/syncInterval`` from the run's own slot (from its
    /// start when it had none: a first, resumed or recovery run). A run that is still going when
    /// its next slot comes does not start a second run of the sync: that slot is skipped, and
    /// the next run is at the first slot at or after the run finished (docs/architecture.md,
    /// "Runs take time"). Anchoring at the slot keeps a run that started late from moving the
    /// schedule.
    func nextSlot(after report: RunReport) -> (time: SimTime, skipped: Int) {
        let anchor = report.slot ?? report.started
        let interval = configuration.syncInterval.milliseconds
        let elapsed = report.finished.duration(since: anchor).milliseconds
        let steps = max(1, (elapsed + interval - 1) / interval)
        return (anchor.adding(SimDuration(milliseconds: steps * interval)), Int(steps - 1))
    }

    /// Runs `body`, wrapping a store error in an ``EngineError`` that says what the engine was doing.
    func stored<T>(_ doing: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError("could not \(doing): \(error)")
        }
    }

    private func record(_ result: SyncRun.Result, sync: SyncInfo, started: SimTime) throws {
        let changes: SyncStore.RecordedChanges = if !result.commit { .skips } else if let baseline = result.baseline { .all(baseline) } else { .none }
        try store.finish(run: result.report, cohortID: sync.cohortID, audienceID: sync.audienceID, changes: changes,
                         commit: result.commit && result.report.outcome == .succeeded)
        // Stop, disconnect or a newer export may have ended the sync while the run awaited an
        // answer: what they decided stands; the run never brings the sync back.
        guard try store.sync(sync.id)?.state == .active else { return }
        if let state = result.newState {
            try store.setState(sync: sync.id, state, nextRun: nil, at: clock.now)
        } else if sync.mode == .dynamic {
            try store.setState(sync: sync.id, .active, nextRun: nextSlot(after: result.report).time, at: clock.now)
        } else {
            try store.setState(sync: sync.id, .finished, nextRun: nil, at: clock.now)
        }
    }

    /// Notes each checkpoint a run passes in its pending marker, with the requests made so far,
    /// and dies at an armed crash point.
    private func checkpoint(run number: Int64, requests: @escaping @Sendable () -> (mailchimp: Int, mixpanel: Int))
        -> @Sendable (CrashPoint) throws -> Void {
        let armed = crashPoints
        let store = store
        let clock = clock
        return { point in
            try store.advance(run: number, to: point.rawValue, at: clock.now, requests: requests())
            if armed.contains(point) { throw SimulatedCrash(point: point) }
        }
    }

    /// What a process death does: nothing more runs, the schedule is gone.
    private func die(_ crash: SimulatedCrash) {
        self.crash = crash
        sleeper?.cancel()
        sleeper = nil
    }

    /// Sleeps until the next due dynamic sync; re-armed whenever the schedule changes.
    ///
    /// - Throws: ``EngineError`` when the syncs cannot be read (no schedule is then armed).
    func reschedule() throws {
        guard !runningDue, crash == nil else { return }
        sleeper?.cancel()
        sleeper = nil
        let next = try stored("read the schedule", store.syncs).filter { $0.state == .active && $0.mode == .dynamic }.compactMap(\.nextRun).min()
        guard let next else { return }
        let clock = self.clock
        sleeper = Task(executorPreference: executor) { [weak self] in
            do { try await clock.sleep(until: next) } catch { return }
            await self?.runScheduled()
        }
    }

    /// The schedule's ``runDue()``: a failure is kept in ``scheduleFailure``.
    private func runScheduled() async {
        do {
            try await runDue()
        } catch let error as EngineError {
            scheduleFailure = error
        } catch {
            scheduleFailure = EngineError("scheduled run failed: \(error)")
        }
    }

    /// A sender for Mixpanel: its queries pass the engine's ``QueryPacer`` (later pages of an
    /// `/engage` session too, unless ``EngineConfiguration/meterSessionPages`` is off).
    func sender(counter: @escaping @Sendable () -> Void, beforeAttempt: @escaping @Sendable () throws -> Void = {}) -> APISender {
        let pacer = queryPacer, meterPages = configuration.meterSessionPages
        return APISender(transport: transport, clock: clock, seed: seed, onSend: counter, beforeAttempt: beforeAttempt) { request in
            guard request.path.contains("/query/") || request.path.contains("/2.0/") else { return nil }
            if !meterPages, URLCoding.decodeForm(String(decoding: request.body, as: UTF8.self)).contains(where: { $0.name == "session_id" }) {
                return nil
            }
            return pacer
        }
    }

    /// A client for Mailchimp with `apiKey`: every request passes the key's ``ConnectionGate``.
    func mailchimpClient(apiKey: String, counter: @escaping @Sendable () -> Void,
                         beforeAttempt: @escaping @Sendable () throws -> Void = {}) -> MailchimpClient {
        let gate = connectionGate(apiKey: apiKey)
        var sender = APISender(transport: transport, clock: clock, seed: seed, onSend: counter, beforeAttempt: beforeAttempt)
        sender.gate = { _ in gate }
        return MailchimpClient(baseURL: MailchimpClient.baseURL(apiKey: apiKey, override: configuration.mailchimpBaseURL),
                               apiKey: apiKey, sender: sender)
    }

    private func connectionGate(apiKey: String) -> ConnectionGate {
        if let gate = connectionGates[apiKey] { return gate }
        let gate = ConnectionGate(ceiling: configuration.maxConcurrentRequests, clock: clock)
        connectionGates[apiKey] = gate
        return gate
    }

    /// Throws ``SyncEndedDuringRun`` once `syncID` is no longer active: stop, disconnect or a newer
    /// export of the same pair ran while this run awaited Mailchimp (actor reentrancy), so the run
    /// must write nothing more. Read from the store, which those calls update at once.
    nonisolated func stillActive(_ syncID: Int64) -> @Sendable () throws -> Void {
        let store = store
        return {
            let state = try store.sync(syncID)?.state ?? .stopped(reason: "sync deleted")
            guard state == .active else { throw SyncEndedDuringRun(state: state) }
        }
    }
}

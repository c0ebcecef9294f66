import SimCore

/// What happened to one contact in one run (Mixpanel's per-member CSV, plus skip and reject).
public struct MemberChange: Sendable, Equatable {
    public enum Action: String, Sendable, Equatable {
        case add, remove, noop = "no-op", skip, reject
    }

    public var action: Action
    public var distinctID: String
    public var email: String
    /// Why a contact was skipped or rejected (empty otherwise).
    public var reason: String

    public init(action: Action, distinctID: String, email: String, reason: String = "") {
        self.action = action
        self.distinctID = distinctID
        self.email = email
        self.reason = reason
    }
}

/// What started a run. The raw values are what the engine's SQL stores (`run.trigger`).
public enum RunTrigger: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// The only run of a one-time export.
    case oneTime = "one-time"
    /// The first run of a dynamic sync.
    case initial
    /// A dynamic sync's run at its slot.
    case scheduled
    /// Redoing an interrupted run after a restart.
    case recovery
    /// The first run of a resumed sync, a full reconcile.
    case resume
    /// A dry run, never recorded.
    case preview

    public var description: String { rawValue }
}

/// The record of one sync run.
public struct RunReport: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        case succeeded, failed, paused
        /// The process stopped during the run (found by ``ExportEngine/recoverInterruptedRuns()``);
        /// its work is redone by the recovery run that follows it.
        case interrupted
        /// The sync was stopped, disconnected or replaced while the run was under way: the run
        /// sent nothing more to Mailchimp from then on, and its outcome is not a snapshot.
        case cancelled
    }

    public var number: Int64
    public var syncID: Int64
    public var trigger: RunTrigger
    public var started: SimTime
    public var finished: SimTime
    public var outcome: Outcome
    /// Why the run failed or paused.
    public var error: String
    public var fullReconcile: Bool
    public var cohortSize: Int
    public var exported: Int
    public var added: Int
    public var removed: Int
    public var unchanged: Int
    /// Reason → count.
    public var skipped: [String: Int]
    /// Mailchimp title → count.
    public var rejected: [String: Int]
    public var mailchimpRequests: Int
    public var mixpanelRequests: Int
    public var changes: [MemberChange]
    /// The slot a scheduled run was for; `nil` for runs a user, a resume or a recovery started.
    public var slot: SimTime?
    /// Slots of its sync that came while this run was under way. They are skipped, not run
    /// late: the sync's next run is at its first slot after this run finished.
    public var slotsSkipped: Int

    /// How long after its slot the run started: another run of the engine held it up (runs
    /// take turns). Zero when on time or unscheduled.
    public var lateBy: SimDuration {
        guard let slot, started > slot else { return SimDuration(milliseconds: 0) }
        return started.duration(since: slot)
    }

    /// `late by 4m10s, 1 slot skipped`, or empty when the run kept its schedule.
    public var scheduleNote: String {
        var parts: [String] = []
        if lateBy.milliseconds > 0 { parts.append("late by \(lateBy)") }
        if slotsSkipped > 0 { parts.append("\(slotsSkipped) slot\(slotsSkipped == 1 ? "" : "s") skipped") }
        return parts.joined(separator: ", ")
    }

    public init(number: Int64, syncID: Int64, trigger: RunTrigger, started: SimTime) {
        self.number = number
        self.syncID = syncID
        self.trigger = trigger
        self.started = started
        self.finished = started
        self.outcome = .succeeded
        self.error = ""
        self.fullReconcile = false
        self.cohortSize = 0
        self.exported = 0
        self.added = 0
        self.removed = 0
        self.unchanged = 0
        self.skipped = [:]
        self.rejected = [:]
        self.mailchimpRequests = 0
        self.mixpanelRequests = 0
        self.changes = []
        self.slot = nil
        self.slotsSkipped = 0
    }
}

/// A sync's lifecycle state, as Mixpanel shows it.
public enum SyncState: Sendable, Equatable, CustomStringConvertible {
    case active
    case paused(reason: String)
    case stopped(reason: String)
    /// A one-time export that has run.
    case finished

    /// The state without its reason. The raw values are what the engine's SQL stores
    /// (`sync.state`, `sync_event.state`).
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case active, paused, stopped, finished
    }

    public var kind: Kind {
        switch self {
        case .active: .active
        case .paused: .paused
        case .stopped: .stopped
        case .finished: .finished
        }
    }

    /// Why it is paused or stopped; empty otherwise.
    public var reason: String {
        switch self {
        case .paused(let reason), .stopped(let reason): reason
        case .active, .finished: ""
        }
    }

    /// The state of `kind` with `reason` (ignored for active and finished).
    public init(_ kind: Kind, reason: String) {
        switch kind {
        case .active: self = .active
        case .paused: self = .paused(reason: reason)
        case .stopped: self = .stopped(reason: reason)
        case .finished: self = .finished
        }
    }

    public var description: String {
        switch self {
        case .active: "Active"
        case .paused(let reason): "Paused(\(reason))"
        case .stopped(let reason): "Stopped(\(reason))"
        case .finished: "Finished"
        }
    }
}

/// One change of a sync's state, as its history records it.
public struct SyncStateChange: Sendable, Equatable {
    public var syncID: Int64
    public var at: SimTime
    /// The state entered.
    public var state: SyncState.Kind
    /// Why: the pause or stop reason, or what made the sync active (`export created`,
    /// `resumed by user …`, `account reconnected …`); empty when nothing said.
    public var reason: String

    public init(syncID: Int64, at: SimTime, state: SyncState.Kind, reason: String) {
        self.syncID = syncID
        self.at = at
        self.state = state
        self.reason = reason
    }
}

/// One export from a cohort to an audience.
public struct SyncInfo: Sendable, Equatable {
    public var id: Int64
    public var cohortID: Int64
    public var audienceID: String
    public var mode: ExportMode
    public var state: SyncState
    public var tagName: String
    public var tagID: Int64?
    public var nextRun: SimTime?
    /// The audience's merge tags, read once per sync (`nil` until the first run that needs them).
    public var mergeFields: [String]? = nil
}

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

/// The record of one sync run.
public struct RunReport: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        case succeeded, failed, paused
        /// The process stopped during the run (found by ``ExportEngine/recoverInterruptedRuns()``);
        /// its work is redone by the recovery run that follows it.
        case interrupted
    }

    public var number: Int64
    public var syncID: Int64
    /// `one-time`, `initial` (first run of a dynamic sync), `scheduled`, `recovery` (redoing an
    /// interrupted run), `resume` (first run of a resumed sync, a full reconcile) or `preview`
    /// (a dry run, never recorded).
    public var trigger: String
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

    public init(number: Int64, syncID: Int64, trigger: String, started: SimTime) {
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
    }
}

/// A sync's lifecycle state, as Mixpanel shows it.
public enum SyncState: Sendable, Equatable, CustomStringConvertible {
    case active
    case paused(reason: String)
    case stopped(reason: String)
    /// A one-time export that has run.
    case finished

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
    /// The state entered (the values the engine's SQL stores).
    public enum State: String, Sendable, Equatable {
        case active, paused, stopped, finished
    }

    public var syncID: Int64
    public var at: SimTime
    public var state: State
    /// Why: the pause or stop reason, or what made the sync active (`export created`,
    /// `resumed by user …`, `account reconnected …`); empty when nothing said.
    public var reason: String

    public init(syncID: Int64, at: SimTime, state: State, reason: String) {
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

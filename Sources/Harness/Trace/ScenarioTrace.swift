import SimCore

/// What a replay kept, as values, for the HTML report: the steps on the virtual clock, the
/// engine's runs with their counts, every request, and (when asked for) the audience over time.
///
/// Everything here is read from the replay itself, never from golden text; it holds no header,
/// body or key, and the same replay gives the same trace.
public struct ScenarioTrace: Sendable, Equatable {
    /// The scenario's virtual start and the clock when the replay ended.
    public var start: SimTime
    public var end: SimTime
    public var steps: [TraceStep]
    /// Every run the engine recorded, oldest first.
    public var runs: [TraceRun]
    /// Every exchange, in the journal's canonical order.
    public var requests: [TraceRequest]
    /// Cohort size, exportable members and tagged contacts per sync, sampled after each step
    /// (empty unless the runner was asked to sample).
    public var samples: [AudienceSample]
    /// The virtual time windows of the scenario's fault rules, per service.
    public var faultWindows: [FaultWindow]

    public init(start: SimTime, end: SimTime, steps: [TraceStep] = [], runs: [TraceRun] = [], requests: [TraceRequest] = [],
                samples: [AudienceSample] = [], faultWindows: [FaultWindow] = []) {
        self.start = start
        self.end = end
        self.steps = steps
        self.runs = runs
        self.requests = requests
        self.samples = samples
        self.faultWindows = faultWindows
    }

    /// Virtual time from the start to the end of the replay.
    public var duration: SimDuration { end.duration(since: start) }
}

/// One timeline step as it was carried out.
public struct TraceStep: Sendable, Equatable {
    /// 1-based position in the timeline, and the line of the scenario file.
    public var number: Int
    public var line: Int
    /// The step kind as written in scenario files (`export`, `wait`, …).
    public var kind: String
    public var began: SimTime
    /// When the step and the work it set off had settled.
    public var ended: SimTime
    /// The same one-line result the outcome document's timeline shows.
    public var result: String

    public init(number: Int, line: Int, kind: String, began: SimTime, ended: SimTime, result: String) {
        self.number = number
        self.line = line
        self.kind = kind
        self.began = began
        self.ended = ended
        self.result = result
    }
}

/// One engine run: when, how it ended, and its counts (reasons sorted by name).
public struct TraceRun: Sendable, Equatable {
    public var number: Int64
    public var syncID: Int64
    public var trigger: String
    public var started: SimTime
    public var finished: SimTime
    /// `succeeded`, `failed`, `paused`, `interrupted` or `cancelled`.
    public var outcome: String
    public var error: String
    public var cohortSize: Int
    public var exported: Int
    public var added: Int
    public var removed: Int
    public var unchanged: Int
    /// (reason, count), sorted by reason.
    public var skipped: [ReasonCount]
    /// (Mailchimp title, count), sorted by title.
    public var rejected: [ReasonCount]

    public init(number: Int64, syncID: Int64, trigger: String, started: SimTime, finished: SimTime, outcome: String, error: String,
                cohortSize: Int, exported: Int, added: Int, removed: Int, unchanged: Int, skipped: [ReasonCount], rejected: [ReasonCount]) {
        self.number = number
        self.syncID = syncID
        self.trigger = trigger
        self.started = started
        self.finished = finished
        self.outcome = outcome
        self.error = error
        self.cohortSize = cohortSize
        self.exported = exported
        self.added = added
        self.removed = removed
        self.unchanged = unchanged
        self.skipped = skipped
        self.rejected = rejected
    }
}

/// A count with the reason it is for.
public struct ReasonCount: Sendable, Equatable {
    public var reason: String
    public var count: Int

    public init(reason: String, count: Int) {
        self.reason = reason
        self.count = count
    }

    /// `values` as pairs sorted by reason: never in dictionary order.
    public static func sorted(_ values: [String: Int]) -> [ReasonCount] {
        values.keys.sorted().map { ReasonCount(reason: $0, count: values[$0] ?? 0) }
    }
}

/// One exchange of the journal, and whether it was a retry of the one before it.
public struct TraceRequest: Sendable, Equatable {
    public var time: SimTime
    public var end: SimTime
    public var service: String
    public var method: String
    public var path: String
    /// The status, or `dropped`, `timeout`, `unreachable`.
    public var outcome: String
    /// The previous request of the same service had the same method and path and failed
    /// (a 429, a 5xx or a transport failure), so this one repeats it.
    public var isRetry: Bool

    public init(time: SimTime, end: SimTime, service: String, method: String, path: String, outcome: String, isRetry: Bool) {
        self.time = time
        self.end = end
        self.service = service
        self.method = method
        self.path = path
        self.outcome = outcome
        self.isRetry = isRetry
    }

    /// A 429 (rate limited).
    public var isRateLimited: Bool { outcome == "429" }
    /// A 5xx or a transport failure: what a fault rule or an outage produces.
    public var isFault: Bool { outcome.hasPrefix("5") || Int(outcome) == nil }
    /// Any answer that is not a 2xx.
    public var isFailure: Bool { !outcome.hasPrefix("2") }
}

/// One sync's audience at one instant.
public struct AudienceSample: Sendable, Equatable {
    public var time: SimTime
    /// The step after which it was taken (0: before the first step).
    public var step: Int
    public var syncID: Int64
    /// e.g. `cohort 601 → audience L1, tag "Buyers"`.
    public var label: String
    /// The cohort's members, profiles or not.
    public var cohortSize: Int
    /// Members with a profile whose `$email` is an exportable address (distinct, lower-cased).
    public var exportable: Int
    /// Contacts of the audience that carry the sync's tag.
    public var tagged: Int

    public init(time: SimTime, step: Int, syncID: Int64, label: String, cohortSize: Int, exportable: Int, tagged: Int) {
        self.time = time
        self.step = step
        self.syncID = syncID
        self.label = label
        self.cohortSize = cohortSize
        self.exportable = exportable
        self.tagged = tagged
    }
}

/// When a fault rule can hit, on which service, and what it does.
public struct FaultWindow: Sendable, Equatable {
    public var service: String
    public var from: SimTime
    /// `nil`: until the end of the replay.
    public var until: SimTime?
    /// e.g. `429 on POST /3.0/lists/*/members`.
    public var label: String

    public init(service: String, from: SimTime, until: SimTime?, label: String) {
        self.service = service
        self.from = from
        self.until = until
        self.label = label
    }
}

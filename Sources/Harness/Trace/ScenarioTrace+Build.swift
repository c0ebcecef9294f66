import ExportEngine
import SimCore
import SimHTTP

extension ScenarioTrace {
    /// The journal as trace requests, each marked when it repeats the failed request before it.
    static func requests(_ journal: [JournalEntry]) -> [TraceRequest] {
        var last: [String: JournalEntry] = [:]
        return journal.map { entry in
            let previous = last[entry.service]
            last[entry.service] = entry
            let retry = previous.map { $0.method == entry.method && $0.path == entry.path && isRetryable($0.outcome) } ?? false
            return TraceRequest(time: entry.time, end: entry.end, service: entry.service, method: entry.method, path: entry.path,
                                outcome: entry.outcome, isRetry: retry)
        }
    }

    /// A 429, a 5xx or a transport failure: the answers the engine's clients retry.
    static func isRetryable(_ outcome: String) -> Bool { outcome == "429" || outcome.hasPrefix("5") || Int(outcome) == nil }

    /// A run record as a trace run.
    static func run(_ report: RunReport) -> TraceRun {
        TraceRun(number: report.number, syncID: report.syncID, trigger: report.trigger.rawValue, started: report.started,
                 finished: report.finished, outcome: report.outcome.rawValue, error: report.error, cohortSize: report.cohortSize,
                 exported: report.exported, added: report.added, removed: report.removed, unchanged: report.unchanged,
                 skipped: ReasonCount.sorted(report.skipped), rejected: ReasonCount.sorted(report.rejected))
    }

    /// The scenario's fault rules as windows on each service's lane.
    static func faultWindows(_ scenario: Scenario) -> [FaultWindow] {
        let rules = scenario.mailchimpFaults.map { ("mailchimp", $0) } + scenario.mixpanelOptions.faults.map { ("mixpanel", $0) }
        return rules.map { service, rule in
            FaultWindow(service: service, from: rule.from ?? scenario.start, until: rule.until, label: describe(rule))
        }
    }

    private static func describe(_ rule: FaultRule) -> String {
        let effect: String = switch rule.effect {
        case .status(let status): "\(status)"
        case .htmlPage(let status): "\(status) HTML page"
        case .emptyBody(let status): "\(status) empty body"
        case .delay(let duration): "delay \(duration)"
        case .drop: "dropped connection"
        case .loseResponse: "lost response"
        }
        let target = (rule.method ?? "any method") + " " + (rule.path ?? "any path")
        var limits: [String] = []
        if let times = rule.times { limits.append("at most \(times)×") }
        if let probability = rule.probability { limits.append("p=\(probability)") }
        return "\(effect) on \(target)" + (limits.isEmpty ? "" : " (" + limits.joined(separator: ", ") + ")")
    }
}

/// Every cohort's size and exportable members and every audience's tag counts at one instant:
/// what an audience sample is read from.
struct AudienceState {
    var cohorts: [Int64: (members: Int, exportable: Int)] = [:]
    /// Audience id → tag name → contacts carrying it.
    var tags: [String: [String: Int]] = [:]

    /// The sample of `sync` in this state.
    func sample(of sync: SyncInfo, at time: SimTime, step: Int) -> AudienceSample {
        let cohort = cohorts[sync.cohortID] ?? (0, 0)
        return AudienceSample(time: time, step: step, syncID: sync.id,
                              label: "sync \(sync.id): cohort \(sync.cohortID) → audience \(sync.audienceID), tag \"\(sync.tagName)\"",
                              cohortSize: cohort.members, exportable: cohort.exportable, tagged: tags[sync.audienceID]?[sync.tagName] ?? 0)
    }
}

extension World {
    /// Every cohort's size and exportable members (a profile whose `$email` is an address, counted
    /// once per lower-cased address) and every audience's tag counts, now.
    func audienceState() throws -> AudienceState {
        var state = AudienceState()
        let profiles = Dictionary(try mixpanel.userViews().map { ($0.id, $0.profile) }, uniquingKeysWith: { first, _ in first })
        for cohort in try mixpanel.cohorts() {
            let members = try mixpanel.members(ofCohort: cohort.id) ?? []
            var exportable = Set<String>()
            for id in members {
                guard let profile = profiles[id] ?? nil, let raw = profile["$email"]?.stringValue else { continue }
                let email = raw.trimmingWhitespace().lowercased()
                if InvariantChecker.isExportable(email) { exportable.insert(email) }
            }
            state.cohorts[cohort.id] = (members.count, exportable.count)
        }
        for audience in try mailchimp.dump() {
            var counts: [String: Int] = [:]
            for member in audience.members { for tag in member.tags { counts[tag, default: 0] += 1 } }
            state.tags[audience.id] = counts
        }
        return state
    }
}

/// Samples each sync's audience after every step; a sync first seen after step N also gets a
/// sample at the instant step N began, from the state before it (so a line starts where its
/// sync did, not one step late).
struct AudienceSampler {
    private var previous: AudienceState
    private var seen = Set<Int64>()
    private(set) var samples: [AudienceSample] = []

    init(_ world: World) throws { previous = try world.audienceState() }

    mutating func after(step: Int, began: SimTime, in world: World) async throws {
        let state = try world.audienceState()
        let now = world.clock.now
        for sync in try await world.engine.syncs() {
            if seen.insert(sync.id).inserted { samples.append(previous.sample(of: sync, at: began, step: step - 1)) }
            samples.append(state.sample(of: sync, at: now, step: step))
        }
        previous = state
    }
}

import ExportEngine
import FakeMailchimp
import FakeMixpanel
import Foundation
import SimCore
import SimHTTP

/// Checks the named invariants after every step of a replay and at its end, from the fakes' own
/// state (who is in each cohort, each profile's `$email`, each contact's status and tags, the
/// requests that reached them) and the history of the timeline's steps — never from the engine's
/// code. What the engine recorded (its runs, syncs, snapshot) is checked against that, not trusted.
actor InvariantChecker: ReplayObserver {
    let scenario: Scenario
    var violations: [Violation] = []
    var coverage: Set<CoveragePoint> = []

    /// Lower-cased addresses any visible profile has had as `$email`.
    var profileEmails: Set<String> = []
    /// Lower-cased addresses that only anonymous users' events carry.
    let anonymousEmails: Set<String>
    /// Addresses a step gave a contact in Mailchimp (change_email), not the engine.
    var harnessEmails: Set<String> = []
    /// Addresses a step changed on the Mailchimp side (both ends of change_email): the engine sees
    /// that only at its next full reconcile (the snapshot lives 3 days), so liveness and snapshot
    /// checks leave them out.
    var movedInMailchimp: Set<String> = []
    /// Per audience id: lower-cased address → status, as last observed.
    var statuses: [String: [String: String]] = [:]
    /// Addresses permanently deleted (never re-importable), by audience name: forgetting is per
    /// audience, the same address may be exported to another (small seed 2185).
    var forgotten: [String: Set<String>] = [:]
    /// Runs as last observed, by number.
    var runs: [Int64: RunReport] = [:]
    /// Syncs a lifecycle step ended: sync id → (since, why, whether a reconnect lifts it).
    var ended: [Int64: (since: SimTime, why: String, byDisconnect: Bool)] = [:]
    /// Dynamic syncs live by the timeline's history, by (cohort id, audience id).
    var live: [PairKey: SimTime] = [:]
    /// Live syncs a disconnect stopped (a reconnect resumes them) and a revoked key paused (a
    /// resume step resumes them).
    var liveBeforeDisconnect: [PairKey: SimTime] = [:]
    var pausedLive: [PairKey: SimTime] = [:]
    /// The snapshot of each pair as last observed.
    var snapshots: [PairKey: SnapshotSummary] = [:]
    /// Tagged addresses per (audience id, tag name), as last observed.
    var tagged: [String: Set<String>] = [:]
    var mailchimpEventCount: Int?
    /// Engagement imports already reported under events-accepted.
    var refusedReported = Set<Int64>()
    /// When the events were last compared for the re-import check.
    var lastImportCheck: SimTime
    /// Audiences (by id) with activity, or newly exported contacts, that no import step has
    /// read yet, with the time of the latest. Imports are per audience: importing one says nothing
    /// about another (small seed 1092), so the re-import check waits until this is empty. An
    /// import reads activity in [since, until): activity stamped at the import's own instant is
    /// left to the next one (small seed 2886), so only a later import clears it.
    var activityAwaitingImport: [String: SimTime] = [:]
    var lastChange: SimTime
    var connected = false
    /// Journal entries already looked at by the request bound.
    var journalSeen = 0
    /// A crash is armed and no restart followed yet: the engine may be dead.
    var crashArmed = false
    /// Audience name → id, as seeded.
    var audienceIDs: [String: String] = [:]
    /// Lifecycle steps that may have landed during a run: (time, what it raced).
    var lifecycleSteps: [(time: SimTime, point: CoveragePoint)] = []

    struct PairKey: Hashable, Comparable {
        var cohort: Int64
        var audience: String
        static func < (a: PairKey, b: PairKey) -> Bool { (a.cohort, a.audience) < (b.cohort, b.audience) }
    }

    init(scenario: Scenario) {
        self.scenario = scenario
        lastChange = scenario.start
        lastImportCheck = scenario.start
        let profileAddresses = Set(scenario.mixpanel.profiles.compactMap { $0.properties["$email"]?.stringValue?.trimmingWhitespace().lowercased() })
        var anonymous = Set<String>()
        for event in scenario.mixpanel.events {
            if let email = event.properties["$email"]?.stringValue?.trimmingWhitespace().lowercased(), !profileAddresses.contains(email) {
                anonymous.insert(email)
            }
        }
        anonymousEmails = anonymous
        for audience in scenario.mailchimp.audiences { for member in audience.members where member.forgotten { forgotten[audience.name, default: []].insert(member.email.lowercased()) } }
    }

    // MARK: Observer

    func begin(_ world: World) async throws {
        try observeProfiles(world)
        for audience in try world.mailchimp.dump() {
            audienceIDs[audience.name] = audience.id
            statuses[audience.id] = Dictionary(audience.members.map { ($0.email.lowercased(), $0.status) }, uniquingKeysWith: { a, _ in a })
        }
    }

    func after(step: Int, _ action: Step.Action, result: String, in world: World) async throws {
        let now = world.clock.now
        if case .wait = action {} else { lastChange = now }
        try await noteLifecycle(action, result: result, world: world, step: step)
        try observeProfiles(world)
        let audiences = try world.mailchimp.dump()
        checkContacts(audiences, step: step, now: now)
        let engine = world.engine
        let syncs = try await engine.syncs()
        let newRuns = try await checkRuns(try await engine.runs(), step: step, now: now)
        try await checkSnapshots(engine: engine, syncs: syncs, newRuns: newRuns, audiences: audiences, step: step, now: now)
        try checkRequestBound(newRuns, syncs: syncs, world: world, step: step, now: now)
        checkSilence(syncs: syncs, runs: newRuns, world: world, step: step, now: now)
        rememberTags(audiences)
        // A run that exported contacts makes earlier, unattributed activity attributable: the
        // next import may then add events without any new campaign (medium seed 2).
        // So does a run that (re)establishes the exported set without adding anyone: a first or
        // resumed run adopting existing contacts, a recovery run redoing a crashed run's writes
        // (medium seed 74).
        let establishing: Set<RunTrigger> = [.oneTime, .initial, .recovery, .resume]
        for run in newRuns where run.outcome == .succeeded && (run.added > 0 || (run.exported > 0 && establishing.contains(run.trigger))) {
            awaitImport(syncs.first { $0.id == run.syncID }?.audienceID ?? "?", since: run.finished)
        }
        switch action {
        case .importEngagement(let audience):
            try await checkEvents(world, step: step, now: now, reimport: true)
            let id = audienceIDs[audience] ?? audience
            // The import read activity stamped (in Mailchimp's whole seconds) before its window's end.
            let until = try await world.engine.engagementReports().last { $0.audienceID == id }?.until ?? now
            if let latest = activityAwaitingImport[id], SimTime(seconds: latest.seconds) < until { activityAwaitingImport[id] = nil }
        case .campaign(let audience, _, _, _): awaitImport(audienceIDs[audience] ?? audience, since: now)
        default: break
        }
    }

    private func awaitImport(_ audienceID: String, since time: SimTime) {
        activityAwaitingImport[audienceID] = max(activityAwaitingImport[audienceID] ?? time, time)
    }

    func end(_ world: World, document: String) async throws {
        let now = world.clock.now
        try await checkEvents(world, step: nil, now: now, reimport: false)
        try await checkMTU(world, now: now)
        try await checkConvergence(world, now: now)
        checkSecrets(document, runs: Array(runs.values))
        noteFaultCoverage(world)
        if scenario.start.monthString != now.monthString { coverage.insert(.monthBoundary) }
    }

    func record(_ invariant: Invariant, step: Int?, now: SimTime, _ detail: String) {
        violations.append(Violation(invariant: invariant, step: step, time: now.description, detail: detail))
    }

    // MARK: Profiles and contacts

    private func observeProfiles(_ world: World) throws {
        for user in try world.mixpanel.userViews() {
            if let email = user.profile?["$email"]?.stringValue?.trimmingWhitespace().lowercased(), !email.isEmpty { profileEmails.insert(email) }
        }
    }

    /// no-duplicate-contacts, no-resubscribe, no-anonymous-export, identified-by-email-only.
    private func checkContacts(_ audiences: [AudienceDump], step: Int, now: SimTime) {
        for audience in audiences {
            var seen: [String: Int] = [:]
            for member in audience.members { seen[member.email.lowercased(), default: 0] += 1 }
            for (key, count) in seen.sorted(by: { $0.key < $1.key }) where count > 1 {
                record(.noDuplicateContacts, step: step, now: now, "audience \(audience.id) holds \(count) contacts for \(key)")
            }
            let before = statuses[audience.id] ?? [:]
            var after: [String: String] = [:]
            for member in audience.members {
                let key = member.email.lowercased()
                after[key] = member.status
                if let old = before[key] {
                    if ["unsubscribed", "cleaned", "archived"].contains(old), ["subscribed", "pending"].contains(member.status) {
                        record(.noResubscribe, step: step, now: now, "\(member.email) on audience \(audience.id) went from \(old) to \(member.status)")
                    }
                } else if !harnessEmails.contains(key) {
                    if anonymousEmails.contains(key) {
                        record(.noAnonymousExport, step: step, now: now, "\(member.email) reached audience \(audience.id) but only anonymous users carry it")
                    } else if !profileEmails.contains(key) {
                        record(.identifiedByEmailOnly, step: step, now: now, "\(member.email) reached audience \(audience.id) but no profile has it as $email")
                    }
                }
            }
            statuses[audience.id] = after
        }
    }

    private func rememberTags(_ audiences: [AudienceDump]) {
        tagged = [:]
        for audience in audiences {
            for member in audience.members {
                for tag in member.tags { tagged[audience.id + "\u{1}" + tag, default: []].insert(member.email.lowercased()) }
            }
        }
    }

    func taggedKeys(audience: String, tag: String) -> Set<String> { tagged[audience + "\u{1}" + tag] ?? [] }

    // MARK: Runs

    /// every-run-recorded-once; returns the runs first seen now.
    private func checkRuns(_ all: [RunReport], step: Int, now: SimTime) async throws -> [RunReport] {
        var fresh: [RunReport] = []
        var previousNumber: Int64 = 0
        for run in all {
            if run.number <= previousNumber {
                record(.everyRunRecordedOnce, step: step, now: now, "run \(run.number) listed after run \(previousNumber)")
            }
            previousNumber = run.number
            if let known = runs[run.number] {
                if known != run { record(.everyRunRecordedOnce, step: step, now: now, "run \(run.number) changed after it was recorded (\(known.outcome.rawValue) → \(run.outcome.rawValue))") }
            } else {
                fresh.append(run)
                runs[run.number] = run
                noteRunCoverage(run)
                // A run that started at the step's own instant started before it (the timeline
                // settles first) and is in flight if it finished later.
                for lifecycle in lifecycleSteps where run.started <= lifecycle.time && lifecycle.time < run.finished { coverage.insert(lifecycle.point) }
            }
        }
        let missing = Set(runs.keys).subtracting(all.map(\.number))
        for number in missing.sorted() { record(.everyRunRecordedOnce, step: step, now: now, "run \(number) disappeared from the history") }
        let scheduled = all.filter { $0.trigger == .scheduled }
        for (a, b) in zip(scheduled, scheduled.dropFirst()) where a.syncID == b.syncID && b.started.duration(since: a.started) < .hours(1) {
            record(.everyRunRecordedOnce, step: step, now: now, "sync \(a.syncID) ran on schedule twice within an hour (runs \(a.number) and \(b.number))")
        }
        return fresh
    }

    private func noteRunCoverage(_ run: RunReport) {
        switch run.outcome {
        case .failed: coverage.insert(.runFailed)
        case .paused: coverage.insert(.runPaused)
        case .interrupted:
            for point in CrashPoint.allCases where run.error.contains("checkpoint: \(point.rawValue)") {
                coverage.insert(CoveragePoint(rawValue: "crash-" + point.rawValue)!)
            }
        case .succeeded, .cancelled: break
        }
        if run.trigger == .recovery { coverage.insert(.recoveryRun) }
        // A scheduled run reconciles in full only when the snapshot is older than its 3-day life.
        if run.trigger == .scheduled, run.fullReconcile { coverage.insert(.snapshotExpired) }
        if run.skipped.keys.contains(where: { $0.hasPrefix("compliance") }) { coverage.insert(.complianceSkip) }
        if run.skipped["duplicate-email"] != nil { coverage.insert(.duplicateEmailSkip) }
        if run.skipped["invalid-email"] != nil { coverage.insert(.invalidEmailSkip) }
        if run.skipped["no-profile"] != nil { coverage.insert(.anonymousSkip) }
    }

    /// snapshot-only-on-success.
    private func checkSnapshots(engine: ExportEngine, syncs: [SyncInfo], newRuns: [RunReport], audiences: [AudienceDump],
                                step: Int, now: SimTime) async throws {
        let byID = Dictionary(syncs.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let pairs = Set(syncs.map { PairKey(cohort: $0.cohortID, audience: $0.audienceID) })
        for pair in pairs.sorted() {
            let snapshot = try await engine.snapshot(cohortID: pair.cohort, audienceID: pair.audience)
            defer { snapshots[pair] = snapshot }
            let pairRuns = newRuns.filter { byID[$0.syncID].map { PairKey(cohort: $0.cohortID, audience: $0.audienceID) } == pair }
            let previous = snapshots[pair]
            guard let snapshot, snapshot != previous else { continue }
            let succeeded = pairRuns.filter { $0.outcome == .succeeded }
            guard let last = succeeded.last, let sync = byID[last.syncID] else {
                record(.snapshotOnlyOnSuccess, step: step, now: now,
                       "the snapshot of cohort \(pair.cohort) → \(pair.audience) moved (taken \(snapshot.takenAt)) with no succeeded run" +
                       (pairRuns.isEmpty ? "" : " (runs: " + pairRuns.map { "\($0.number) \($0.outcome.rawValue)" }.joined(separator: ", ") + ")"))
                continue
            }
            if pairRuns.last?.outcome == .succeeded, pairRuns.last?.number == last.number,
               let audience = audiences.first(where: { $0.id == pair.audience }) {
                let inMailchimp = Set(audience.members.filter { $0.tags.contains(sync.tagName) }.map { $0.email.lowercased() })
                    .subtracting(movedInMailchimp)
                let held = Set(snapshot.keys).subtracting(movedInMailchimp)
                if held != inMailchimp {
                    let onlySnapshot = held.subtracting(inMailchimp).sorted().prefix(5)
                    let onlyTag = inMailchimp.subtracting(held).sorted().prefix(5)
                    record(.snapshotOnlyOnSuccess, step: step, now: now,
                           "after run \(last.number) succeeded, the snapshot of cohort \(pair.cohort) → \(pair.audience) differs from tag \"\(sync.tagName)\" in Mailchimp"
                           + (onlySnapshot.isEmpty ? "" : "; only in the snapshot: " + onlySnapshot.joined(separator: ", "))
                           + (onlyTag.isEmpty ? "" : "; only tagged: " + onlyTag.joined(separator: ", ")))
                }
            }
        }
    }

    /// requests-within-bound: successful Mailchimp writes of one run ≤ 2·⌈N/500⌉ + 3, where N is
    /// the cohort's size (from the fake) plus the contacts already carrying the tag. Runs whose time
    /// windows touch (two exports in the same instant) are judged together, against the sum.
    private func checkRequestBound(_ newRuns: [RunReport], syncs: [SyncInfo], world: World, step: Int, now: SimTime) throws {
        // Only requests that arrived during this step: runs of earlier steps in the same instant are
        // not counted against these.
        let arrivals = world.journal.arrivals
        let journal = arrivals.dropFirst(journalSeen)
        journalSeen = arrivals.count
        var clusters: [(audience: String, from: SimTime, to: SimTime, bound: Int, runs: [Int64], contacts: Int)] = []
        for run in newRuns.sorted(by: { ($0.started, $0.number) < ($1.started, $1.number) }) {
            guard let sync = syncs.first(where: { $0.id == run.syncID }) else { continue }
            let members = try world.mixpanel.members(ofCohort: sync.cohortID)?.count ?? run.cohortSize
            let n = members + taggedKeys(audience: sync.audienceID, tag: sync.tagName).count
            let bound = 2 * ((n + 499) / 500) + 3
            if let last = clusters.indices.last(where: { clusters[$0].audience == sync.audienceID }), clusters[last].to >= run.started {
                clusters[last].to = max(clusters[last].to, run.finished)
                clusters[last].bound += bound
                clusters[last].runs.append(run.number)
                clusters[last].contacts += n
            } else {
                clusters.append((sync.audienceID, run.started, run.finished, bound, [run.number], n))
            }
        }
        for cluster in clusters {
            let writes = journal.filter {
                $0.service == "mailchimp" && $0.method != "GET" && $0.outcome.hasPrefix("2") && $0.path.hasPrefix("/3.0/lists/\(cluster.audience)")
                    && $0.time >= cluster.from && $0.time <= cluster.to
            }
            if writes.count > cluster.bound {
                let which = cluster.runs.count == 1 ? "run \(cluster.runs[0])" : "runs " + cluster.runs.map(String.init).joined(separator: ", ")
                record(.requestsWithinBound, step: step, now: now,
                       "\(which) made \(writes.count) successful Mailchimp writes; the bound for \(cluster.contacts) contacts is \(cluster.bound)")
            }
        }
    }
}

import ExportEngine
import FakeMailchimp
import SimCore
import SimHTTP

extension InvariantChecker {
    /// Keeps the history of lifecycle steps: which syncs a step ended (and since when), which are
    /// live by the timeline's history, and which steps may race a run.
    func noteLifecycle(_ action: Step.Action, result: String, world: World, step: Int) async throws {
        let now = world.clock.now
        let syncs = try await world.engine.syncs()
        switch action {
        case .connect:
            connected = result.hasPrefix("connect: Connected")
            // Reconnecting may resume what disconnect stopped: those syncs are no longer held to silence.
            if connected {
                ended = ended.filter { !$0.value.byDisconnect }
                for (pair, since) in liveBeforeDisconnect where live[pair] == nil { live[pair] = since }
                liveBeforeDisconnect = [:]
            }
        case .disconnect:
            connected = false
            for sync in syncs where sync.mode == .dynamic && ended[sync.id] == nil { ended[sync.id] = (now, "disconnect", true) }
            // Reconnecting resumes what disconnect stopped (docs/fidelity.md): those become live again.
            liveBeforeDisconnect.merge(live) { a, _ in a }
            live = [:]
            lifecycleSteps.append((now, .disconnectDuringRun))
        case .stopExport(let cohort, let audience):
            guard let pair = pairKey(cohort: cohort, audience: audience, world: world) else { return }
            if let sync = syncs.last(where: { $0.cohortID == pair.cohort && $0.audienceID == pair.audience && $0.mode == .dynamic }),
               ended[sync.id] == nil {
                ended[sync.id] = (now, "stop_export", false)
            }
            live[pair] = nil
            liveBeforeDisconnect[pair] = nil
            pausedLive[pair] = nil
            lifecycleSteps.append((now, .stopDuringRun))
        case .deleteCohort(let cohort):
            guard let id = cohortID(cohort) else { return }
            for sync in syncs where sync.cohortID == id && sync.mode == .dynamic && ended[sync.id] == nil { ended[sync.id] = (now, "delete_cohort", false) }
            live = live.filter { $0.key.cohort != id }
            liveBeforeDisconnect = liveBeforeDisconnect.filter { $0.key.cohort != id }
            pausedLive = pausedLive.filter { $0.key.cohort != id }
            lifecycleSteps.append((now, .cohortDeletedDuringRun))
        case .export(let cohort, let audience, let mode):
            guard let pair = pairKey(cohort: cohort, audience: audience, world: world) else { return }
            live[pair] = nil
            liveBeforeDisconnect[pair] = nil
            pausedLive[pair] = nil
            if mode == .dynamic, connected, !result.contains("engine died") { live[pair] = now }
        case .deleteAudience(let audience):
            let id = audienceIDs[audience] ?? audience
            live = live.filter { $0.key.audience != id }
            liveBeforeDisconnect = liveBeforeDisconnect.filter { $0.key.audience != id }
            pausedLive = pausedLive.filter { $0.key.audience != id }
        case .revokeAPIKey:
            pausedLive.merge(live) { a, _ in a }
            live = [:]
        case .resume(let cohort, let audience):
            guard let pair = pairKey(cohort: cohort, audience: audience, world: world) else { return }
            if result.contains(": run "), result.contains("succeeded"), let since = pausedLive.removeValue(forKey: pair) { live[pair] = since }
        case .crash:
            crashArmed = true
        case .restart:
            crashArmed = false
        case .contact(let audience, let email, let contactAction, let to):
            if contactAction == .deletePermanently { forgotten[audience, default: []].insert(email.lowercased()) }
            movedInMailchimp.insert(email.lowercased())
            if let to {
                harnessEmails.insert(to.lowercased())
                movedInMailchimp.insert(to.lowercased())
            }
        default:
            break
        }
    }

    /// stopped-means-silent: an ended sync sends no Mailchimp write after it ended; after stop or
    /// disconnect it starts no run and is not `Active` again; after its cohort is deleted, the
    /// first run that notices ends it (and writes nothing).
    func checkSilence(syncs: [SyncInfo], runs newRuns: [RunReport], world: World, step: Int, now: SimTime) {
        let journal = world.journal.journal
        for (id, hold) in ended.sorted(by: { $0.key < $1.key }) {
            guard let sync = syncs.first(where: { $0.id == id }) else { continue }
            let cohortDeleted = hold.why == "delete_cohort"
            // A deleted cohort is noticed only by a run that read Mixpanel's cohort list after the
            // deletion (one whose every cohort-list request failed still knows nothing; medium seed 45).
            let noticed = runs.values.contains { run in
                run.syncID == id && run.started > hold.since && journal.contains {
                    // Sent before the run finished (a request sent at that instant belongs to the
                    // next run; medium seed 107), unless the whole run took no virtual time.
                    $0.service == "mixpanel" && $0.path == "/api/query/cohorts/list" && $0.outcome == "200"
                        && $0.time >= run.started && ($0.time < run.finished || run.started == run.finished)
                }
            }
            if sync.state == .active, !cohortDeleted || noticed {
                record(.stoppedMeansSilent, step: step, now: now,
                       "sync \(id) (cohort \(sync.cohortID) → \(sync.audienceID)) is Active again after \(hold.why) at \(hold.since)")
                ended[id] = nil  // reported once
                continue
            }
            // A cohort's deletion is invisible until the engine asks Mixpanel: a run that read the
            // cohort before it (started no later, the timeline settles before each step) may finish
            // its writes; every run that starts afterwards must write nothing (small seed 3401,
            // docs/fuzzing.md). Stop and disconnect are the engine's own: no write after them.
            for run in newRuns where run.syncID == id && run.finished > hold.since && (!cohortDeleted || run.started > hold.since) {
                if run.started > hold.since, !cohortDeleted {
                    record(.stoppedMeansSilent, step: step, now: now, "sync \(id) ran again (run \(run.number) at \(run.started)) after \(hold.why) at \(hold.since)")
                }
                // The journal does not name the sync: a write is this run's only when no run of
                // another sync on the same audience was under way then (medium seed 88: another
                // cohort's sync wrote in the same instant as this sync's failed run).
                let others = runs.values.filter { other in
                    other.syncID != id && syncs.first(where: { $0.id == other.syncID })?.audienceID == sync.audienceID
                }
                let late = run.mailchimpRequests == 0 ? [] : journal.filter { entry in
                    entry.service == "mailchimp" && entry.method != "GET" && entry.path.hasPrefix("/3.0/lists/\(sync.audienceID)")
                        && entry.time > hold.since && entry.time >= run.started && entry.time <= run.finished
                        && !others.contains { entry.time >= $0.started && entry.time <= $0.finished }
                }
                if let first = late.first {
                    record(.stoppedMeansSilent, step: step, now: now,
                           "run \(run.number) of sync \(id) sent \(late.count) Mailchimp write(s) after \(hold.why) at \(hold.since), the first \(first.method) \(first.path) at \(first.time)")
                }
            }
        }
    }

    func cohortID(_ reference: String) -> Int64? {
        if let id = Int64(reference) { return id }
        return scenario.mixpanel.cohorts.first { $0.name == reference }?.id
    }

    func pairKey(cohort: String, audience: String, world: World) -> PairKey? {
        guard let id = cohortID(cohort) else { return nil }
        // Audiences are named as seeded (or by id): the map from the first observation, no dump.
        guard let list = audienceIDs[audience] ?? (audienceIDs.values.contains(audience) ? audience : nil) else { return nil }
        return PairKey(cohort: id, audience: list)
    }
}

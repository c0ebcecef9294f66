import ExportEngine
import FakeMailchimp
import FakeMixpanel
import Foundation
import SimCore
import Synchronization

extension World {
    /// The `track` step: one event through the fake Mixpanel's ingestion.
    func track(_ event: String, properties: [String: JSONValue], at time: SimTime?) throws -> String {
        var properties = properties
        if let time { properties["time"] = .int(time.milliseconds / 1000) }
        let result = try mixpanel.track(event: event, properties: properties)
        return "track \(event): " + Self.describe(result)
    }

    /// The `contact` step: something a contact or an admin does to one address in Mailchimp.
    func contact(audience: String, email: String, action: Step.ContactAction, to: String?) throws -> String {
        let list = try resolveAudience(audience)
        switch action {
        case .unsubscribe: try mailchimp.unsubscribe(email: email, list: list, byContact: true)
        case .unsubscribeByAdmin: try mailchimp.unsubscribe(email: email, list: list, byContact: false)
        case .clean: try mailchimp.clean(email: email, list: list)
        case .archive: try mailchimp.archive(email: email, list: list)
        case .deletePermanently: try mailchimp.deletePermanently(email: email, list: list)
        case .changeEmail:
            guard let to else { throw StepFailure(message: "change_email needs 'to'") }
            try mailchimp.changeEmail(from: email, to: to, list: list)
        }
        return "contact \(email) on \(audience): \(action.rawValue)" + (to.map { " to \($0)" } ?? "")
    }

    /// The `campaign` step: a campaign sent to an audience (or a tag of it) and its activity.
    func campaign(audience: String, tag: String?, subject: String, activity: [Step.CampaignActivity]) throws -> String {
        let list = try resolveAudience(audience)
        let campaign = try mailchimp.sendCampaign(list: list, tag: tag, subject: subject)
        for item in activity {
            try mailchimp.recordActivity(campaign: campaign, email: item.email, action: item.action, url: item.url, bounceType: item.bounce ?? .hard)
        }
        return "campaign \(campaign) \"\(subject)\" sent to \(audience)" + (tag.map { " tag \($0)" } ?? "") + ", \(activity.count) activity record(s)"
    }

    /// The `revoke_api_key` step.
    func revokeAPIKey() -> String {
        mailchimp.revokeAPIKey()
        return "Mailchimp API key revoked"
    }

    /// The `new_api_key` step: a second key on the same account.
    func newAPIKey(_ key: String) throws -> String {
        do { try mailchimp.addAPIKey(key) } catch let error as MailchimpKeyError { throw StepFailure(message: error.message) }
        return "Mailchimp API key \(maskSecret(key)) created"
    }

    /// The `preview` step: the engine's dry run, its counts and change list in one line.
    func preview(cohort: String, audience: String) async throws -> String {
        let (cohortID, _) = try resolveCohort(cohort)
        let audienceID = try resolveAudience(audience)
        let report: RunReport
        do { report = try await engine.previewExport(cohortID: cohortID, audienceID: audienceID) } catch let error as EngineError {
            return "preview of cohort \(cohortID) to audience \(audienceID): refused (\(error.message))"
        }
        let changes = report.changes.map { "\($0.action.rawValue) \($0.email.isEmpty ? $0.distinctID : $0.email)" }.joined(separator: ", ")
        return "preview of cohort \(cohortID) to audience \(audienceID): would add \(report.added), remove \(report.removed), leave \(report.unchanged) unchanged, skip \(report.skipped.values.reduce(0, +))"
            + (changes.isEmpty ? "" : " [\(changes)]")
    }

    /// The `delete_audience` step.
    func deleteAudience(_ audience: String) throws -> String {
        let list = try resolveAudience(audience)
        try mailchimp.deleteAudience(id: list)
        return "audience \(list) deleted"
    }

    /// The `crash` step: the engine dies the next time it reaches `point`.
    func crash(at point: CrashPoint) async -> String {
        await engine.armCrash(at: [point])
        return "engine will die at \(point.rawValue)"
    }

    /// The `restart` step: a new engine on the same state file, which redoes interrupted runs.
    func restart() async throws -> String {
        await engine.quiesce()
        let fresh = try restartEngine()
        let recovered = try await fresh.recoverInterruptedRuns()
        return "engine restarted from its state file" + (recovered.isEmpty ? "; nothing to recover"
            : "; recovery: " + recovered.map { "run \($0.number) \($0.trigger) \($0.outcome.rawValue)" }.joined(separator: ", "))
    }

    /// The `import_engagement` step.
    func importEngagement(audience: String) async throws -> String {
        let list = try resolveAudience(audience)
        let report = try await engine.importEngagement(audienceID: list)
        let events = report.events.keys.sorted().map { "\($0)=\(report.events[$0]!)" }.joined(separator: ", ")
        return "engagement import for \(list): \(report.outcome.rawValue), \(report.campaigns) campaign(s), imported \(report.imported), unattributed \(report.unattributed), refused \(report.refused)"
            + (events.isEmpty ? "" : " [\(events)]") + (report.error.isEmpty ? "" : " error: \(report.error)")
    }

    /// The `resume` step: the latest sync of the pair; a refusal is part of the outcome, not a failure.
    func resume(cohort: String, audience: String) async throws -> String {
        let (cohortID, _) = try resolveCohort(cohort)
        let audienceID = try resolveAudience(audience)
        guard let sync = try await engine.syncs().last(where: { $0.cohortID == cohortID && $0.audienceID == audienceID }) else {
            throw StepFailure(message: "no export of cohort \(cohort) to \(audience) to resume")
        }
        do {
            let report = try await engine.resume(syncID: sync.id)
            let still = report.outcome == .paused ? " (still broken: \(report.error))" : ""
            return "resume sync \(sync.id): run \(report.number) \(report.outcome.rawValue)\(still)"
        } catch let error as EngineError {
            return "resume sync \(sync.id) refused: \(error)"
        } catch let crash as SimulatedCrash {
            return "resume sync \(sync.id): engine died (\(crash))"
        }
    }

    static func describe(_ result: IngestResult) -> String {
        if let failure = result.failure { return "refused (\(failure.field): \(failure.message))" }
        var text = "stored as \(result.distinctID ?? "?")"
        switch result.identity {
        case .merged(let canonical)?: text += ", merged (canonical \(canonical))"
        case .failed(let reason, _)?: text += ", merge refused (\(reason))"
        case .unchanged?, nil: break
        }
        return text
    }
}

/// Temporary state files for engines that a scenario restarts.
enum EngineFiles {
    private static let counter = Atomic<Int>(0)

    static func temporaryPath() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        return NSTemporaryDirectory() + "cohortsim-engine-\(getpid())-\(n).sqlite"
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

import SimCore
import Synchronization

/// A failure of an engine call that is not about Mailchimp or Mixpanel.
public struct EngineError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

extension ExportEngine {
    /// A dry run: what an export of `cohortID` to `audienceID` would do now, with no write to
    /// Mailchimp, Mixpanel or the engine's own state (no sync, run, tag, snapshot or skip list).
    ///
    /// It reads the cohort, the pair's tag (by the existing sync's tag id, else by name), the
    /// baseline (the fresh snapshot, else the tag's members) and the skip list, and predicts
    /// compliance skips by reading the statuses of the contacts it would add (the same reads a run
    /// makes; a permanently deleted address looks new until a write is refused). The report has
    /// number 0 and trigger `preview`, and is not recorded.
    ///
    /// - Throws: ``EngineError`` when no Mailchimp account is connected, ``APIFailure`` when a
    ///   read fails, ``SimulatedCrash`` after a simulated crash.
    public func previewExport(cohortID: Int64, audienceID: String) async throws -> RunReport {
        if let crash { throw crash }
        guard let connection = try store.connection() else { throw EngineError("no Mailchimp account connected") }
        await runLock.acquire()
        let counts = Mutex((mailchimp: 0, mixpanel: 0))
        let mailchimp = mailchimpClient(apiKey: connection.apiKey, counter: { counts.withLock { $0.mailchimp += 1 } })
        let mixpanel = MixpanelClient(access: configuration.mixpanel, sender: sender(counter: { counts.withLock { $0.mixpanel += 1 } }))
        do {
            var report = try await preview(cohortID: cohortID, audienceID: audienceID, mailchimp: mailchimp, mixpanel: mixpanel)
            report.finished = clock.now
            (report.mailchimpRequests, report.mixpanelRequests) = counts.withLock { ($0.mailchimp, $0.mixpanel) }
            await runLock.release()
            return report
        } catch {
            await runLock.release()
            throw error
        }
    }

    private func preview(cohortID: Int64, audienceID: String, mailchimp: MailchimpClient, mixpanel: MixpanelClient) async throws -> RunReport {
        var report = RunReport(number: 0, syncID: 0, trigger: .preview, started: clock.now)
        let existing = try store.syncs().last { $0.cohortID == cohortID && $0.audienceID == audienceID }
        var name = existing?.tagName ?? ""
        if existing == nil { name = try await mixpanel.cohorts()[cohortID].map { SyncRun.tagName(forCohort: $0.name) } ?? "" }
        var sync = existing ?? SyncInfo(id: 0, cohortID: cohortID, audienceID: audienceID, mode: .oneTime, state: .active,
                                        tagName: name, tagID: nil, nextRun: nil)
        sync.id = existing?.id ?? 0
        report.syncID = sync.id
        let run = SyncRun(sync: sync, configuration: configuration, mailchimp: mailchimp, mixpanel: mixpanel, store: store, clock: clock)
        guard try await run.readCohort(into: &report) else { return report }
        let tagID: Int64? = if let id = sync.tagID { id } else { try await mailchimp.findTag(list: audienceID, name: sync.tagName) }
        let baseline = try await run.stageBaseline(tagID: tagID, tagIsNew: false, report: &report)
        try run.staging.plan(against: baseline, skipListOf: report.fullReconcile ? nil : audienceID)
        try await run.stageComplianceStatuses(includeNew: true)
        SyncRun.count(try run.staging.counts(), into: &report)
        report.changes = try run.staging.changes()
        return report
    }
}

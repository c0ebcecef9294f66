import SimCore
import Synchronization

extension ExportEngine {
    /// Imports the audience's campaign engagement into Mixpanel: the sends, opens, clicks,
    /// bounces and unsubscribes Mailchimp reports since the last successful import of this
    /// audience (the first import reads the campaigns sent within
    /// ``EngineConfiguration/engagementLookback``).
    ///
    /// Each activity becomes one `/import` event (`Mailchimp - Sent To`, `- Opened Campaign`,
    /// `- Clicked Campaign Url`, `- Bounced`, `- Unsubscribed`) with `$source = "mailchimp"`, the
    /// activity's time, `campaign_id`, `subject` (and `url` for clicks), a deterministic
    /// `$insert_id`, and as `distinct_id` the Mixpanel id the engine exported the contact under
    /// (its `$user_id` when the profile had one). Activity of addresses the engine never exported
    /// to this audience is not sent and is counted as ``EngagementReport/unattributed``.
    ///
    /// Dynamic runs call this after every successful run. The report is recorded; the audience's
    /// cursor moves only when the import succeeded.
    ///
    /// - Throws: ``EngineError`` when the engine's state cannot be read or the import recorded.
    public func importEngagement(audienceID: String) async throws -> EngagementReport {
        guard crash == nil else {
            var report = EngagementReport(audienceID: audienceID, started: clock.now, since: nil, until: clock.now)
            report.outcome = .failed
            report.error = "the engine has stopped"
            return report
        }
        await runLock.acquire()
        do {
            let report = try await importEngagementHoldingLock(audienceID: audienceID)
            await runLock.release()
            return report
        } catch {
            await runLock.release()
            throw error
        }
    }

    /// Every engagement import recorded, oldest first.
    public func engagementReports() throws -> [EngagementReport] { try store.engagementReports() }

    func importEngagementHoldingLock(audienceID: String) async throws -> EngagementReport {
        let now = clock.now
        let since = try stored("read the engagement cursor of \(audienceID)") { try store.engagementCursor(audienceID: audienceID) }
        // Mailchimp stamps activity in whole seconds: activity of the current second may be
        // stamped before `now` and still be unread, so the window ends at the second's start and
        // that second is read again next time (Mixpanel deduplicates re-sent events by $insert_id).
        let until = SimTime(seconds: now.seconds)
        var report = EngagementReport(audienceID: audienceID, started: now, since: since, until: until)
        if let connection = try stored("read the Mailchimp connection", store.connection) {
            let counts = Mutex((mailchimp: 0, mixpanel: 0))
            let job = EngagementImport(audienceID: audienceID, configuration: configuration,
                                       mailchimp: mailchimpClient(apiKey: connection.apiKey, counter: { counts.withLock { $0.mailchimp += 1 } }),
                                       mixpanel: MixpanelClient(access: configuration.mixpanel,
                                                                sender: sender(counter: { counts.withLock { $0.mixpanel += 1 } })),
                                       store: store)
            report = await job.perform(into: report)
            (report.mailchimpRequests, report.mixpanelRequests) = counts.withLock { ($0.mailchimp, $0.mixpanel) }
        } else {
            report.outcome = .failed
            report.error = "no Mailchimp account connected"
        }
        report.finished = clock.now
        return try stored("record the engagement import of \(audienceID)") { try store.finish(engagement: report) }
    }
}

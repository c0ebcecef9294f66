import SimCore

/// One engagement import for one audience: reads campaign activity from Mailchimp since the
/// audience's cursor and sends it to Mixpanel's `/import` as the five `Mailchimp - …` events.
struct EngagementImport {
    /// Mixpanel's `/import` limit.
    static let importBatchLimit = 2000

    let audienceID: String
    let configuration: EngineConfiguration
    let mailchimp: MailchimpClient
    let mixpanel: MixpanelClient
    let store: SyncStore

    /// One activity read from a report, before attribution.
    struct Activity: Sendable, Equatable {
        var event: String
        var campaign: Campaign
        var emailKey: String
        var time: SimTime
        var extra: [String: JSONValue] = [:]
    }

    /// Reads the audience's campaigns, then each campaign's reports a page (1,000 items) at a
    /// time, and imports the attributed activity in `/import` batches of ``importBatchLimit`` as
    /// it goes: memory holds one page and one batch, whatever the size of the audience. A failure
    /// part-way leaves the cursor where it was; the next import sends the same events again and
    /// Mixpanel deduplicates them by `$insert_id`.
    func perform(into report: EngagementReport) async -> EngagementReport {
        var report = report
        var pending: [JSONValue] = []
        do {
            let campaigns = try await mailchimp.sentCampaigns(list: audienceID, since: report.until.adding(SimDuration(milliseconds: -configuration.engagementLookback.milliseconds)))
            report.campaigns = campaigns.count
            for campaign in campaigns {
                try await Self.forEachActivityPage(of: campaign, client: mailchimp, since: report.since, until: report.until) { activities in
                    for activity in activities {
                        guard let id = try store.exportedID(audienceID: audienceID, emailKey: activity.emailKey) else {
                            report.unattributed += 1
                            continue
                        }
                        report.events[activity.event, default: 0] += 1
                        pending.append(Self.event(activity, distinctID: id))
                    }
                    while pending.count >= Self.importBatchLimit {
                        try await send(Array(pending.prefix(Self.importBatchLimit)), into: &report)
                        pending.removeFirst(Self.importBatchLimit)
                    }
                }
            }
            if !pending.isEmpty { try await send(pending, into: &report) }
        } catch {
            report.outcome = .failed
            report.error = (error as? APIFailure)?.description ?? "\(error)"
        }
        return report
    }

    private func send(_ events: [JSONValue], into report: inout EngagementReport) async throws {
        let result = try await mixpanel.importEvents(events)
        report.imported += result.imported
        report.refused += result.refused
        if !result.firstError.isEmpty, report.error.isEmpty { report.error = "Mixpanel refused \(result.refused) event(s): \(result.firstError)" }
    }

    /// The campaign's activity in [since, until), a report page at a time: its sends (when the
    /// campaign was sent in the window), opens, clicks and bounces, and unsubscribes. Activity
    /// stamped exactly at an import's `until` is left to the next import, so activity recorded at
    /// the same instant as an import (after it read the reports) is imported once, by the next one.
    static func forEachActivityPage(of campaign: Campaign, client: MailchimpClient, since: SimTime?, until: SimTime,
                                    _ body: ([Activity]) async throws -> Void) async throws {
        func inWindow(_ time: SimTime) -> Bool { (since.map { time >= $0 } ?? true) && time < until }
        if let sent = campaign.sendTime, inWindow(sent) {
            try await client.forEachReportPage(campaign.id, "sent-to", key: "sent_to") { items in
                try await body(items.compactMap { item in
                    guard let email = item["email_address"]?.stringValue else { return nil }
                    return Activity(event: EngagementEvent.sentTo, campaign: campaign, emailKey: email.lowercased(), time: sent,
                                    extra: ["status": item["status"] ?? .null])
                })
            }
        }
        // Mailchimp's `since` is exclusive; ask from a second earlier and filter here.
        let sinceQuery: [(name: String, value: String)] = since.map { [("since", $0.adding(.seconds(-1)).iso8601)] } ?? []
        try await client.forEachReportPage(campaign.id, "email-activity", key: "emails", query: sinceQuery) { items in
            var result: [Activity] = []
            for item in items {
                guard let email = item["email_address"]?.stringValue else { continue }
                for action in item["activity"]?.arrayValue ?? [] {
                    guard let time = action["timestamp"]?.stringValue.flatMap(SimTime.init(iso8601:)), inWindow(time) else { continue }
                    switch action["action"]?.stringValue {
                    case "open":
                        result.append(Activity(event: EngagementEvent.opened, campaign: campaign, emailKey: email.lowercased(), time: time))
                    case "click":
                        result.append(Activity(event: EngagementEvent.clicked, campaign: campaign, emailKey: email.lowercased(), time: time,
                                               extra: ["url": action["url"] ?? .null]))
                    case "bounce":
                        result.append(Activity(event: EngagementEvent.bounced, campaign: campaign, emailKey: email.lowercased(), time: time,
                                               extra: ["bounce_type": action["type"] ?? .null]))
                    default: continue
                    }
                }
            }
            try await body(result)
        }
        try await client.forEachReportPage(campaign.id, "unsubscribed", key: "unsubscribes") { items in
            try await body(items.compactMap { item in
                guard let email = item["email_address"]?.stringValue,
                      let time = item["timestamp"]?.stringValue.flatMap(SimTime.init(iso8601:)), inWindow(time) else { return nil }
                return Activity(event: EngagementEvent.unsubscribed, campaign: campaign, emailKey: email.lowercased(), time: time,
                                extra: ["reason": item["reason"] ?? .null])
            })
        }
    }

    /// The Mixpanel event for one activity.
    static func event(_ activity: Activity, distinctID: String) -> JSONValue {
        var properties: [String: JSONValue] = [
            "time": .int(activity.time.seconds),
            "distinct_id": .string(distinctID),
            "$insert_id": .string(insertID(activity)),
            "$source": "mailchimp",
            "campaign_id": .string(activity.campaign.id),
            "subject": .string(activity.campaign.subject),
        ]
        for (key, value) in activity.extra where value != .null { properties[key] = value }
        return ["event": .string(activity.event), "properties": .object(properties)]
    }

    /// `mc-` and 32 hex characters derived from campaign, address, action and time: the same
    /// activity always gets the same id (so Mixpanel deduplicates re-sent events), whatever the
    /// engine's seed. 35 characters, alphanumerics and `-` only.
    static func insertID(_ activity: Activity) -> String {
        "mc-" + StableHash.hex(seed: 0, length: 32, activity.campaign.id, activity.emailKey, activity.event,
                               String(activity.time.milliseconds))
    }
}

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

    func perform(into report: EngagementReport) async -> EngagementReport {
        var report = report
        do {
            let campaigns = try await mailchimp.sentCampaigns(list: audienceID, since: report.until.adding(SimDuration(milliseconds: -configuration.engagementLookback.milliseconds)))
            report.campaigns = campaigns.count
            let window = (since: report.since, until: report.until)
            let client = mailchimp
            let perCampaign = try await concurrentMap(campaigns, limit: 3) { campaign in
                try await Self.activities(of: campaign, client: client, since: window.since, until: window.until)
            }
            var events: [JSONValue] = []
            for activity in perCampaign.flatMap({ $0 }) {
                guard let id = try store.exportedID(audienceID: audienceID, emailKey: activity.emailKey) else { report.unattributed += 1; continue }
                report.events[activity.event, default: 0] += 1
                events.append(Self.event(activity, distinctID: id))
            }
            for chunk in events.chunked(Self.importBatchLimit) {
                let result = try await mixpanel.importEvents(chunk)
                report.imported += result.imported
                report.refused += result.refused
                if !result.firstError.isEmpty, report.error.isEmpty { report.error = "Mixpanel refused \(result.refused) event(s): \(result.firstError)" }
            }
        } catch {
            report.outcome = .failed
            report.error = (error as? APIFailure)?.description ?? "\(error)"
        }
        return report
    }

    /// The campaign's activity in [since, until): its sends (when the campaign was sent in the
    /// window), opens, clicks and bounces, and unsubscribes. Activity stamped exactly at an
    /// import's `until` is left to the next import, so activity recorded at the same instant as
    /// an import (after it read the reports) is imported once, by the next one.
    static func activities(of campaign: Campaign, client: MailchimpClient, since: SimTime?, until: SimTime) async throws -> [Activity] {
        func inWindow(_ time: SimTime) -> Bool { (since.map { time >= $0 } ?? true) && time < until }
        var result: [Activity] = []
        if let sent = campaign.sendTime, inWindow(sent) {
            for item in try await client.report(campaign.id, "sent-to", key: "sent_to") {
                guard let email = item["email_address"]?.stringValue else { continue }
                result.append(Activity(event: EngagementEvent.sentTo, campaign: campaign, emailKey: email.lowercased(), time: sent,
                                       extra: ["status": item["status"] ?? .null]))
            }
        }
        // Mailchimp's `since` is exclusive; ask from a second earlier and filter here.
        let sinceQuery: [(name: String, value: String)] = since.map { [("since", $0.adding(.seconds(-1)).iso8601)] } ?? []
        for item in try await client.report(campaign.id, "email-activity", key: "emails", query: sinceQuery) {
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
        for item in try await client.report(campaign.id, "unsubscribed", key: "unsubscribes") {
            guard let email = item["email_address"]?.stringValue,
                  let time = item["timestamp"]?.stringValue.flatMap(SimTime.init(iso8601:)), inWindow(time) else { continue }
            result.append(Activity(event: EngagementEvent.unsubscribed, campaign: campaign, emailKey: email.lowercased(), time: time,
                                   extra: ["reason": item["reason"] ?? .null]))
        }
        return result
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

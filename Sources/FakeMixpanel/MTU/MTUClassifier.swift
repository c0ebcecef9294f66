import SimCore

/// Sorts events into qualifying, excluded (§7.3) and partner-exempt (§7.4, Mailchimp).
struct MTUClassifier {
    enum Kind: Equatable { case qualifying, excluded, exempt }

    /// Non-qualifying events (§7.3), Mailchimp's aside.
    static let excluded: Set<String> = [
        "$identify", "$create_alias", "$merge", "$opt_in", "$mp_session_record", "$campaign_delivery",
        "$campaign_received", "$campaign_bounced", "$campaign_marked_spam", "$message_suppressed",
        "$unsubscribe", "$journey_entered", "$experiment_started",
    ]
    /// The Mailchimp destination page's names; the first two are engagement (opens, clicks).
    static let partnerPage = ["Mailchimp - Opened Campaign", "Mailchimp - Clicked Campaign Url",
                              "Mailchimp - Sent To", "Mailchimp - Unsubscribed", "Mailchimp - Bounced"]
    /// The MTU page's names; the first two are engagement.
    static let mtuPage = ["Mailchimp Campaign - Open", "Mailchimp Campaign - Click", "Mailchimp Campaign - Sent",
                          "Mailchimp Campaign - Unsubscribed", "Mailchimp Campaign - Bounce"]

    let settings: MTUSettings

    /// The Mailchimp names exempt under the settings (A29, A30).
    var exemptNames: Set<String> {
        var lists: [[String]] = []
        if settings.mailchimpSpellings != .mtuPage { lists.append(Self.partnerPage) }
        if settings.mailchimpSpellings != .partnerPage { lists.append(Self.mtuPage) }
        return Set(lists.flatMap { settings.exemptEngagementEvents ? $0 : Array($0.dropFirst(2)) })
    }

    func kind(name: String, source: String?) -> Kind {
        if Self.excluded.contains(name) { return .excluded }
        if exemptNames.contains(name) && (!settings.requireSourceForExemption || source == "mailchimp") { return .exempt }
        return .qualifying
    }
}

/// Switches for MTU counting where the Mixpanel docs disagree (`mixpanel.md` §7, A27–A33).
public struct MTUSettings: Sendable, Equatable {
    /// A27: which time puts an event in a calendar month.
    public enum MonthBasis: String, Sendable, Equatable, CaseIterable {
        /// Default: the event's own timestamp (the MTU help page).
        case eventTime
        /// When Mixpanel ingested it (`mp_processing_time_ms`, event-based billing).
        case ingestionTime
    }

    /// A28: which id a user is counted under.
    public enum UserBasis: String, Sendable, Equatable, CaseIterable {
        /// Default: the canonical id as of the month's end (merges ingested later do not count),
        /// so two ids merged mid-month count once.
        case canonicalAtMonthEnd
        /// The canonical id as of now (later merges also collapse earlier months).
        case canonicalNow
        /// Each distinct_id as sent counts on its own (a mid-month merge counts twice).
        case distinctIDAsSent
    }

    /// A29: which spelling of Mailchimp's event names is exempt.
    public enum MailchimpSpellings: String, Sendable, Equatable, CaseIterable {
        /// Default: both lists.
        case both
        /// `Mailchimp - Opened Campaign`, … (the Mailchimp destination page).
        case partnerPage
        /// `Mailchimp Campaign - Open`, … (the MTU page).
        case mtuPage
    }

    public var monthBasis: MonthBasis
    public var userBasis: UserBasis
    public var mailchimpSpellings: MailchimpSpellings
    /// A30: opens and clicks are exempt like the other outreach events (default true).
    public var exemptEngagementEvents: Bool
    /// A31: every event in the month counts toward the 1,000-events-per-user guardrail (default
    /// true); false counts only qualifying events.
    public var guardrailCountsAllEvents: Bool
    /// A32: a Mailchimp event name is exempt only on an event with `$source = "mailchimp"` (default true).
    public var requireSourceForExemption: Bool
    /// A33: an event with an empty distinct_id makes nobody an MTU (default false; a decision in
    /// the reference, kept as a switch for symmetry).
    public var countEmptyDistinctID: Bool

    public init(monthBasis: MonthBasis = .eventTime, userBasis: UserBasis = .canonicalAtMonthEnd,
                mailchimpSpellings: MailchimpSpellings = .both, exemptEngagementEvents: Bool = true,
                guardrailCountsAllEvents: Bool = true, requireSourceForExemption: Bool = true,
                countEmptyDistinctID: Bool = false) {
        self.monthBasis = monthBasis
        self.userBasis = userBasis
        self.mailchimpSpellings = mailchimpSpellings
        self.exemptEngagementEvents = exemptEngagementEvents
        self.guardrailCountsAllEvents = guardrailCountsAllEvents
        self.requireSourceForExemption = requireSourceForExemption
        self.countEmptyDistinctID = countEmptyDistinctID
    }
}

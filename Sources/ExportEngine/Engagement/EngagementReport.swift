import SimCore

/// The record of one engagement import: Mailchimp campaign activity sent to Mixpanel as events.
public struct EngagementReport: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        /// Every event was offered to Mixpanel; the audience's cursor moved to ``until``.
        case succeeded
        /// A request failed after retries (or was refused); the cursor did not move, so the next
        /// import reads the same window again (`$insert_id` makes re-sent events harmless).
        case failed
    }

    /// 1-based, in order of import (0 until recorded).
    public var number: Int64
    public var audienceID: String
    public var started: SimTime
    public var finished: SimTime
    public var outcome: Outcome
    public var error: String
    /// Activity after this time was read (`nil`: the first import, which reads the whole lookback).
    public var since: SimTime?
    /// Activity up to this time was read.
    public var until: SimTime
    /// Campaigns of the audience whose reports were read.
    public var campaigns: Int
    /// Event name → events built for exported contacts.
    public var events: [String: Int]
    /// Events Mixpanel accepted.
    public var imported: Int
    /// Activities of addresses the engine never exported to this audience: not sent.
    public var unattributed: Int
    /// Events Mixpanel refused (`strict=1` validation).
    public var refused: Int
    public var mailchimpRequests: Int
    public var mixpanelRequests: Int

    public init(audienceID: String, started: SimTime, since: SimTime?, until: SimTime) {
        number = 0
        self.audienceID = audienceID
        self.started = started
        finished = started
        outcome = .succeeded
        error = ""
        self.since = since
        self.until = until
        campaigns = 0
        events = [:]
        imported = 0
        unattributed = 0
        refused = 0
        mailchimpRequests = 0
        mixpanelRequests = 0
    }
}

/// The five engagement events, named as Mixpanel's Mailchimp integration names them (MTU-exempt
/// with `$source = "mailchimp"`, mixpanel.md 7.4).
enum EngagementEvent {
    static let sentTo = "Mailchimp - Sent To"
    static let opened = "Mailchimp - Opened Campaign"
    static let clicked = "Mailchimp - Clicked Campaign Url"
    static let bounced = "Mailchimp - Bounced"
    static let unsubscribed = "Mailchimp - Unsubscribed"
}

import SimCore

/// The MTU count of one calendar month of one project.
public struct MTUReport: Sendable, Equatable {
    /// `YYYY-MM`.
    public var month: String
    /// The users counted (canonical ids, or ids as sent under ``MTUSettings/UserBasis/distinctIDAsSent``), sorted.
    public var users: [String]
    /// Events in the month that make their user an MTU.
    public var qualifyingEvents: Int
    /// Events in the month on the non-qualifying list (§7.3), e.g. `$identify`.
    public var excludedEvents: Int
    /// Partner outreach events exempt from MTU (§7.4, Mailchimp).
    public var exemptEvents: Int
    /// Events the 1,000-per-user guardrail looks at (A31).
    public var guardrailEvents: Int

    /// Monthly tracked users.
    public var count: Int { users.count }

    /// Whether users averaged more than 1,000 events each (§7.2).
    public var guardrailApplied: Bool { count > 0 && guardrailEvents > 1000 * count }

    /// What the month bills: the count, or events / 1,000 (rounded down) under the guardrail.
    public var billable: Int { guardrailApplied ? guardrailEvents / 1000 : count }

    /// The report as JSON (the `/_sim/mtu` body).
    public var json: JSONValue {
        ["month": .string(month), "mtu": .int(Int64(count)), "users": .array(users.map { .string($0) }),
         "qualifying_events": .int(Int64(qualifyingEvents)), "excluded_events": .int(Int64(excludedEvents)),
         "exempt_events": .int(Int64(exemptEvents)), "guardrail_events": .int(Int64(guardrailEvents)),
         "guardrail_applied": .bool(guardrailApplied), "billable": .int(Int64(billable))]
    }
}

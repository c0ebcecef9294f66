/// A named property every simulated run must keep. The raw value is the stable id used in
/// reports, JUnit cases, shrunk files and `docs/fuzzing.md`.
public enum Invariant: String, Sendable, Equatable, Hashable, CaseIterable, Comparable {
    case noResubscribe = "no-resubscribe"
    case noAnonymousExport = "no-anonymous-export"
    case identifiedByEmailOnly = "identified-by-email-only"
    case convergesAfterQuiet = "converges-after-quiet"
    case stoppedMeansSilent = "stopped-means-silent"
    case snapshotOnlyOnSuccess = "snapshot-only-on-success"
    case everyRunRecordedOnce = "every-run-recorded-once"
    case noDuplicateContacts = "no-duplicate-contacts"
    case noDuplicateEvents = "no-duplicate-events"
    case sourceMarked = "source-marked"
    case eventsAccepted = "events-accepted"
    case mtuExemption = "mtu-exemption"
    case requestsWithinBound = "requests-within-bound"
    case noSecretInOutput = "no-secret-in-output"
    /// Not a property of the engine: the harness could not carry the case out (a step failed,
    /// the scenario did not parse back). Always a bug in the fuzzer or a fake.
    case harnessError = "harness-error"

    /// What the invariant protects, in one line (for reports and `--list-invariants`).
    public var summary: String {
        switch self {
        case .noResubscribe: "no contact goes from unsubscribed, cleaned or archived back to subscribed or pending"
        case .noAnonymousExport: "no user without a profile reaches Mailchimp"
        case .identifiedByEmailOnly: "every contact the engine writes is some profile's $email"
        case .convergesAfterQuiet: "once faults and changes stop, two scheduled runs later each live sync's tag holds exactly the cohort's exportable members"
        case .stoppedMeansSilent: "after stop, disconnect or cohort deletion a sync writes nothing more and stays ended"
        case .snapshotOnlyOnSuccess: "the snapshot moves only with a succeeded run, and then matches the tag in Mailchimp"
        case .everyRunRecordedOnce: "run numbers are unique and in order, recorded runs never change, nothing stays pending"
        case .noDuplicateContacts: "an audience never holds two contacts with the same address"
        case .noDuplicateEvents: "re-importing engagement with no new activity adds no event"
        case .sourceMarked: "every event from Mailchimp has $source = \"mailchimp\""
        case .eventsAccepted: "Mixpanel accepts every event an engagement import sends (none refused: a refused event is lost)"
        case .mtuExemption: "a user whose only events in a month are the five exempt Mailchimp events is not counted"
        case .requestsWithinBound: "a run's successful Mailchimp writes stay within the batch lower bound plus a small constant"
        case .noSecretInOutput: "no API key or service-account secret appears in reports or run records"
        case .harnessError: "the generated case could be carried out"
        }
    }

    public static func < (lhs: Invariant, rhs: Invariant) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One broken invariant: which, where in the timeline, when, and what was seen.
public struct Violation: Sendable, Equatable {
    public var invariant: Invariant
    /// 1-based step after which it was seen (`nil`: at the end of the run).
    public var step: Int?
    public var time: String
    public var detail: String

    public var line: String {
        "\(invariant.rawValue) " + (step.map { "after step \($0)" } ?? "at the end") + " (\(time)): \(detail)"
    }
}

import ExportEngine
import FakeMailchimp
import FakeMixpanel
import SimCore

/// A scenario: a world (Mixpanel project, Mailchimp account) and a timeline of steps.
public struct Scenario: Sendable, Equatable {
    public var file: String
    /// Path relative to the scenario root without extension, e.g. `export/one-time-basic`; names the golden.
    public var id: String
    public var name: String
    public var description: String
    public var tags: [String]
    public var seed: UInt64
    public var start: SimTime
    public var mixpanel: MixpanelWorld
    public var mailchimp: MailchimpWorld
    public var engine: EngineSettings
    public var steps: [Step]
}

/// Engine options a scenario may set.
public struct EngineSettings: Sendable, Equatable {
    public var statusIfNew: String = "subscribed"
}

/// One timeline step, with the line it was written on.
public struct Step: Sendable, Equatable {
    public var line: Int
    public var action: Action

    /// What a step does.
    public enum Action: Sendable, Equatable {
        /// Connect the engine to Mailchimp with `apiKey` (the account's key by default).
        case connect(apiKey: String?)
        /// Disconnect Mailchimp; every sync stops.
        case disconnect
        /// Export a cohort (by name or id) to an audience (by name or id).
        case export(cohort: String, audience: String, mode: ExportMode)
        /// Stop the sync of a cohort to an audience.
        case stopExport(cohort: String, audience: String)
        /// Let virtual time pass; scheduled work fires in time order.
        case wait(SimDuration)
        /// Update a Mixpanel profile (`$set` / `$unset`), creating it if needed.
        case setProfile(distinctID: String, set: [String: JSONValue], unset: [String])
        /// Delete a Mixpanel profile; its events stay (the user becomes anonymous).
        case deleteProfile(distinctID: String)
        case renameCohort(cohort: String, to: String)
        case deleteCohort(cohort: String)
        /// Check inline facts; a failed one fails the scenario (in addition to the golden).
        case expect([Expectation])
    }

    /// The step kinds, as written in scenario files.
    public static let kinds = ["connect", "disconnect", "export", "stop_export", "wait", "set_profile",
                               "delete_profile", "rename_cohort", "delete_cohort", "expect"]
}

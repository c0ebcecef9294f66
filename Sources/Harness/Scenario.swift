import ExportEngine
import FakeMailchimp
import FakeMixpanel
import SimCore
import SimHTTP

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
    /// Switches and faults of the fake Mixpanel.
    public var mixpanelOptions = MixpanelOptions()
    /// Faults the fake Mailchimp injects.
    public var mailchimpFaults: [FaultRule] = []
    /// The fake Mailchimp's service times: the documented estimates unless the scenario overrides them.
    public var mailchimpLatency = MailchimpLatency.standard
    /// Connections the Mailchimp user's other apps hold (they count towards the same 10).
    public var mailchimpOtherClients: [OtherClientLoad] = []

    public init(file: String, id: String, name: String, description: String, tags: [String], seed: UInt64, start: SimTime,
                mixpanel: MixpanelWorld, mailchimp: MailchimpWorld, engine: EngineSettings, steps: [Step]) {
        self.file = file
        self.id = id
        self.name = name
        self.description = description
        self.tags = tags
        self.seed = seed
        self.start = start
        self.mixpanel = mixpanel
        self.mailchimp = mailchimp
        self.engine = engine
        self.steps = steps
    }

    /// Whether the timeline restarts the engine (its state then lives in a file).
    var restartsEngine: Bool { steps.contains { $0.action == .restart } }
}

/// Fake Mixpanel options a scenario may set.
public struct MixpanelOptions: Sendable, Equatable {
    public var mtu = MTUSettings()
    /// The identity rules' switches (A1–A8, docs/fidelity.md "Identity").
    public var identity = IdentitySettings()
    /// The query API's limits (60 an hour, 5 at once): on unless the scenario switches them off.
    public var queryRateLimit = true
    /// Whether later pages of an `/engage` session count as queries (docs/fidelity.md, "Mixpanel Query API limits").
    public var sessionPagesCount = true
    /// Rows per `/engage` page (1,000 on the real service; smaller only as a test lever).
    public var pageSize = FakeMixpanel.pageSize
    /// Service times: the documented estimates unless the scenario overrides them.
    public var latency = MixpanelLatency.standard
    public var faults: [FaultRule] = []

    /// The fake's query settings.
    public var query: QuerySettings {
        QuerySettings(rateLimited: queryRateLimit, sessionPagesCount: sessionPagesCount, pageSize: pageSize)
    }
}

/// Engine options a scenario may set.
public struct EngineSettings: Sendable, Equatable {
    public var statusIfNew: String = "subscribed"
    public var existingContacts: ExistingContactHandling = .listStatuses
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
        /// Ingest an event into Mixpanel now (or at `time`), through identity resolution.
        case track(event: String, properties: [String: JSONValue], time: SimTime?)
        /// Something a contact or Mailchimp does to a contact (unsubscribe, bounce, …).
        case contact(audience: String, email: String, action: ContactAction, to: String?)
        /// Send a campaign to an audience (or a tag of it), then record activity on it.
        case campaign(audience: String, tag: String?, subject: String, activity: [CampaignActivity])
        /// The Mailchimp API key stops working (deleted, or its user left the account).
        case revokeAPIKey
        /// The account's owner creates a new API key (`<key>-<dc>`, the account's data centre).
        case newAPIKey(String)
        /// Resume the latest paused sync of a cohort to an audience (after its cause is fixed).
        case resume(cohort: String, audience: String)
        /// A dry run of an export: what it would change now, with no write and no record.
        case preview(cohort: String, audience: String)
        /// The audience is deleted in Mailchimp.
        case deleteAudience(audience: String)
        /// Arm a crash: the engine's next run dies at this point, as if its process were killed.
        case crash(at: CrashPoint)
        /// Start a new engine on the same state file and let it recover interrupted runs.
        case restart
        /// The engine imports campaign activity for an audience into Mixpanel now.
        case importEngagement(audience: String)
    }

    /// Contact-side changes in Mailchimp.
    public enum ContactAction: String, Sendable, Equatable, CaseIterable {
        case unsubscribe, unsubscribeByAdmin = "unsubscribe_by_admin", clean, archive
        case deletePermanently = "delete_permanently", changeEmail = "change_email"
    }

    /// One piece of activity on a campaign.
    public struct CampaignActivity: Sendable, Equatable {
        public var email: String
        public var action: CampaignAction
        public var url: String?
        public var bounce: BounceType?
    }

    /// The step kinds, as written in scenario files.
    public static let kinds = ["connect", "disconnect", "export", "stop_export", "wait", "set_profile",
                               "delete_profile", "rename_cohort", "delete_cohort", "expect", "track", "contact", "campaign",
                               "revoke_api_key", "delete_audience", "crash", "restart", "import_engagement",
                               "new_api_key", "resume", "preview"]
}

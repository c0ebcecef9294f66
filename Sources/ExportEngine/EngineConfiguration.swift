import SimCore

/// Where the engine finds Mixpanel and Mailchimp, with which credentials, and how it exports.
public struct EngineConfiguration: Sendable, Equatable {
    /// Mixpanel service-account credentials for one project.
    public struct MixpanelAccess: Sendable, Equatable {
        public var projectID: Int64
        public var username: String
        public var secret: String
        /// Base of the query API, e.g. `https://mixpanel.com/api`.
        public var queryURL: String
        /// Base of the ingestion API, e.g. `https://api.mixpanel.com`.
        public var ingestURL: String

        public init(projectID: Int64, username: String, secret: String,
                    queryURL: String = "https://mixpanel.com/api", ingestURL: String = "https://api.mixpanel.com") {
            self.projectID = projectID
            self.username = username
            self.secret = secret
            self.queryURL = queryURL
            self.ingestURL = ingestURL
        }
    }

    public var mixpanel: MixpanelAccess
    /// Overrides the Mailchimp API root (`https://<dc>.api.mailchimp.com/3.0` by default), e.g. a local fake.
    public var mailchimpBaseURL: String?
    /// Status given to contacts new to the audience: `subscribed` (default) or `pending` (double opt-in).
    public var statusIfNew: String
    /// Interval between dynamic sync runs.
    public var syncInterval: SimDuration
    /// A snapshot older than this forces a full reconcile.
    public var snapshotLifetime: SimDuration
    /// Most Mailchimp requests in flight at once, across every run (Mailchimp allows 10 per user).
    public var maxConcurrentRequests: Int
    /// Count later pages of an `/engage` session against the query API's 60 an hour (the
    /// default: the service's rule is undocumented, docs/fidelity.md "Mixpanel Query API limits"). Turn off
    /// only once Mixpanel confirms pages of an open session are not queries of their own.
    public var meterSessionPages: Bool
    /// Refuse to connect unless the Mixpanel service account is an `owner` or `admin` of the
    /// project (`GET /api/app/projects/{projectId}/service-accounts`). Turn off only for a
    /// Mixpanel that cannot answer that call.
    public var requireAdminRole: Bool
    /// How the engine learns the statuses of contacts that already exist when it adds them:
    /// ``ExistingContactHandling/listStatuses`` by default (relies on no unconfirmed assumption).
    public var existingContacts: ExistingContactHandling
    /// With ``ExistingContactHandling/listStatuses``: when a batch subscribe answers
    /// `ERROR_CONTACT_EXISTS` for at most this many addresses, their statuses are read one by one
    /// (`GET …/members/{hash}`); above it, the audience's unsubscribed, cleaned and archived
    /// members are listed instead (3 listings, 1000 a page).
    public var statusLookupLimit: Int
    /// Engagement import reads campaigns sent to the audience within this window before now.
    public var engagementLookback: SimDuration
    /// Import campaign engagement into Mixpanel at the end of every dynamic run.
    public var importEngagementAfterDynamicRuns: Bool
    /// Most users a cohort may have to be exported: a run of a larger cohort fails with the
    /// reason and leaves the snapshot as it was. ``mixpanelCohortSizeLimit`` in production;
    /// smaller in tests.
    public var maxCohortSize: Int
    /// Armed crash points (testing only): a run that reaches one throws ``SimulatedCrash`` and
    /// the engine stops as if its process had died. Empty in production.
    public var crashPoints: Set<CrashPoint>

    public init(mixpanel: MixpanelAccess, mailchimpBaseURL: String? = nil, statusIfNew: String = "subscribed",
                syncInterval: SimDuration = .hours(2), snapshotLifetime: SimDuration = .days(3),
                maxConcurrentRequests: Int = 9, meterSessionPages: Bool = true, requireAdminRole: Bool = true,
                existingContacts: ExistingContactHandling = .listStatuses, statusLookupLimit: Int = 9,
                engagementLookback: SimDuration = .days(30), importEngagementAfterDynamicRuns: Bool = true,
                maxCohortSize: Int = EngineConfiguration.mixpanelCohortSizeLimit, crashPoints: Set<CrashPoint> = []) {
        self.mixpanel = mixpanel
        self.mailchimpBaseURL = mailchimpBaseURL
        self.statusIfNew = statusIfNew
        self.syncInterval = syncInterval
        self.snapshotLifetime = snapshotLifetime
        self.maxConcurrentRequests = maxConcurrentRequests
        self.meterSessionPages = meterSessionPages
        self.requireAdminRole = requireAdminRole
        self.existingContacts = existingContacts
        self.statusLookupLimit = statusLookupLimit
        self.engagementLookback = engagementLookback
        self.importEngagementAfterDynamicRuns = importEngagementAfterDynamicRuns
        self.maxCohortSize = maxCohortSize
        self.crashPoints = crashPoints
    }

    /// Mixpanel exports cohorts of at most 10 million users (mixpanel.md §8.1, A49).
    public static let mixpanelCohortSizeLimit = 10_000_000
}

/// How a run treats contacts that are already on the audience when it adds them. Either way
/// the engine sends no status for them, never writes their merge fields (FNAME/LNAME are set
/// only on contacts the run creates), and does not tag unsubscribed, cleaned or archived ones
/// (docs/fidelity.md, "Existing contacts").
public enum ExistingContactHandling: String, Sendable, Equatable, CaseIterable {
    /// The default. Batch subscribe with `update_existing: false` (existing contacts untouched,
    /// answered `ERROR_CONTACT_EXISTS`), then read their statuses: one `GET` each up to
    /// ``EngineConfiguration/statusLookupLimit``, else listings of the audience's unsubscribed,
    /// cleaned and archived members (⌈n/1000⌉ + 3 requests). Relies on no unconfirmed assumption.
    case listStatuses = "list-statuses"
    /// Opt-in, to save the status reads. Batch subscribe with `update_existing: true` and only
    /// `status_if_new` (the never-resubscribe pattern peers use, peers.md §2.4): existing
    /// contacts' statuses come back in the same reply. The members carry no merge fields; the
    /// contacts the call created get theirs in a second batch subscribe of those contacts only.
    ///
    /// - Warning: relies on the **unconfirmed assumption U25** (mailchimp.md): that Mailchimp
    ///   leaves an existing contact's status alone when a batch subscribe with
    ///   `update_existing: true` sends only `status_if_new`. If it is wrong, every contact an
    ///   admin or the contact unsubscribed, and every cleaned one, that is in the cohort is
    ///   re-subscribed by the next run: a compliance failure (consent withdrawn is ignored) that
    ///   no request saving justifies. Choose it only once U25 is confirmed against real Mailchimp.
    case updateExisting = "update-existing"
}

/// A one-time snapshot or a dynamic sync re-run every ``EngineConfiguration/syncInterval``.
public enum ExportMode: String, Sendable, Equatable, CaseIterable {
    case oneTime = "one-time"
    case dynamic
}

/// Masks a secret for logs and reports: the last 4 characters only.
public func maskSecret(_ secret: String) -> String {
    secret.count <= 4 ? "****" : "****" + secret.suffix(4)
}

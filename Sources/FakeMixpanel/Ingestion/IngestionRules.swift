import SimCore

/// The rules one ingestion path applies to each event (`mixpanel.md` §5.2, §5.3).
public struct IngestionRules: Sendable, Equatable {
    /// `properties.token` must be the project token (`/track`).
    public var requireToken: Bool
    /// `properties.time` must be given (`/import`); otherwise it defaults to the ingestion time.
    public var requireTime: Bool
    /// `properties.distinct_id` (or, Simplified, `$user_id`/`$device_id`) must be given (`/import`).
    public var requireDistinctID: Bool
    /// `properties.$insert_id` must be given (`/import`); otherwise one is generated and the event
    /// is never deduplicated.
    public var requireInsertID: Bool
    /// Events older than this are refused (`/track`: 5 days); `nil`: anything after 1971.
    public var maxAge: SimDuration?
    /// `$merge` may merge (authenticated `/import` only).
    public var allowMerge: Bool
    /// Refuse the reserved distinct_ids (`anon`, `null`, `0`, …) of §5.2.
    public var rejectForbiddenIDs: Bool
    /// Refuse times before 1971 or more than 1 hour ahead, and clamp the next hour to now (A22).
    public var checkTimeWindow: Bool

    public init(requireToken: Bool, requireTime: Bool, requireDistinctID: Bool, requireInsertID: Bool,
                maxAge: SimDuration?, allowMerge: Bool, rejectForbiddenIDs: Bool = true, checkTimeWindow: Bool = true) {
        self.requireToken = requireToken
        self.requireTime = requireTime
        self.requireDistinctID = requireDistinctID
        self.requireInsertID = requireInsertID
        self.maxAge = maxAge
        self.allowMerge = allowMerge
        self.rejectForbiddenIDs = rejectForbiddenIDs
        self.checkTimeWindow = checkTimeWindow
    }

    /// `POST /track`: token in each event, last 5 days only, `$insert_id` optional, no `$merge`.
    public static let track = IngestionRules(requireToken: true, requireTime: false, requireDistinctID: false,
                                             requireInsertID: false, maxAge: .days(5), allowMerge: false)
    /// `POST /import`: `time`, `distinct_id` and `$insert_id` required; `$merge` allowed.
    public static let importAPI = IngestionRules(requireToken: false, requireTime: true, requireDistinctID: true,
                                                 requireInsertID: true, maxAge: nil, allowMerge: true)
    /// Events the scenario puts in directly (the world's events, a harness step): `/import`'s
    /// identity handling, but nothing required beyond `event`: scenarios describe data as stored,
    /// so reserved distinct_ids (e.g. `anon`) and any time are accepted as given.
    public static let direct = IngestionRules(requireToken: false, requireTime: false, requireDistinctID: false,
                                              requireInsertID: false, maxAge: nil, allowMerge: true,
                                              rejectForbiddenIDs: false, checkTimeWindow: false)
}

/// Limits of the ingestion endpoints, with the reference's switches.
public struct IngestionSettings: Sendable, Equatable {
    /// Events per `/track` or `/import` request.
    public var maxEventsPerRequest: Int
    /// A20: uncompressed bytes per `/import` request; default 10 MB (the 413 text still says 2097152).
    public var importMaxBytes: Int
    /// A21: the key naming the event's insert id in `failed_records`; default `insert_id`, as a
    /// real strict 400 quoted in mixpanel/mixpanel-utils#40 (2022) spells it (the docs' example has `$insert_id`).
    public var failedRecordInsertIDKey: String
    /// A25: `/track` answers `1` when **any** event is valid (default), or only when all are.
    public var trackOneMeansAnyValid: Bool

    public init(maxEventsPerRequest: Int = 2000, importMaxBytes: Int = 10 * 1024 * 1024,
                failedRecordInsertIDKey: String = "insert_id", trackOneMeansAnyValid: Bool = true) {
        self.maxEventsPerRequest = maxEventsPerRequest
        self.importMaxBytes = importMaxBytes
        self.failedRecordInsertIDKey = failedRecordInsertIDKey
        self.trackOneMeansAnyValid = trackOneMeansAnyValid
    }
}

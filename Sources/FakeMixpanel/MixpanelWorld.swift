import SimCore

/// The initial state of a fake Mixpanel project, as a scenario describes it.
public struct MixpanelWorld: Sendable, Equatable {
    /// The project's identity system; fixed before any data is ingested.
    public enum IDMerge: String, Sendable, Equatable, CaseIterable {
        case original, simplified
    }

    /// A project role; only `owner` and `admin` may enable an integration or use `/import`.
    public enum Role: String, Sendable, Equatable, CaseIterable {
        case owner, admin, analyst, consumer
    }

    /// A service account and its role in this project.
    public struct ServiceAccount: Sendable, Equatable {
        public var username: String
        public var secret: String
        public var role: Role

        public init(username: String, secret: String, role: Role) {
            self.username = username
            self.secret = secret
            self.role = role
        }
    }

    /// A user profile: its distinct_id and properties.
    public struct Profile: Sendable, Equatable {
        public var distinctID: String
        public var properties: [String: JSONValue]

        public init(distinctID: String, properties: [String: JSONValue]) {
            self.distinctID = distinctID
            self.properties = properties
        }
    }

    /// An event already ingested when the scenario starts.
    public struct Event: Sendable, Equatable {
        public var name: String
        public var time: SimTime
        public var properties: [String: JSONValue]

        public init(name: String, time: SimTime, properties: [String: JSONValue]) {
            self.name = name
            self.time = time
            self.properties = properties
        }
    }

    /// A saved cohort.
    public struct Cohort: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var description: String
        public var definition: CohortDefinition

        public init(id: Int64, name: String, description: String = "", definition: CohortDefinition) {
            self.id = id
            self.name = name
            self.description = description
            self.definition = definition
        }
    }

    public var projectID: Int64
    public var token: String
    public var idMerge: IDMerge
    public var serviceAccounts: [ServiceAccount]
    public var profiles: [Profile]
    public var events: [Event]
    public var cohorts: [Cohort]

    public init(projectID: Int64, token: String, idMerge: IDMerge, serviceAccounts: [ServiceAccount],
                profiles: [Profile] = [], events: [Event] = [], cohorts: [Cohort] = []) {
        self.projectID = projectID
        self.token = token
        self.idMerge = idMerge
        self.serviceAccounts = serviceAccounts
        self.profiles = profiles
        self.events = events
        self.cohorts = cohorts
    }
}

/// Who belongs to a cohort, evaluated on canonical users at query time.
public indirect enum CohortDefinition: Sendable, Equatable {
    /// A fixed list of distinct_ids (any ID of a cluster names the whole user).
    case ids([String])
    /// A comparison on a profile property.
    case property(name: String, op: PropertyOperator, value: JSONValue?)
    /// Did `event` at least `atLeast` times within the last `withinDays` days of virtual time.
    case did(event: String, atLeast: Int, withinDays: Int)
    case all([CohortDefinition])
    case any([CohortDefinition])
    case not(CohortDefinition)

    /// Comparisons available in property filters.
    public enum PropertyOperator: String, Sendable, Equatable, CaseIterable {
        case equals, notEquals = "not_equals", contains, isSet = "is_set", isNotSet = "is_not_set"
        case greaterThan = "greater_than", lessThan = "less_than"
    }
}

import SimCore

/// An event that passed validation, ready to be stored.
struct IngestedEvent: Sendable, Equatable {
    var name: String
    /// The distinct_id the event was sent with (after Simplified's `$user_id`/`$device_id` rules);
    /// queries resolve it to the canonical id when read, so merges apply retroactively.
    var distinctID: String
    var time: SimTime
    var insertID: String
    /// `false` when the insert id was generated: such events are never deduplicated (§5.3).
    var deduplicate: Bool
    /// Properties as stored: without `token`, `time`, `distinct_id` and `$insert_id` (columns).
    var properties: [String: JSONValue]
    /// The identity change the event asks for, if any.
    var identity: IdentityOperation?
}

/// Why an event was refused: the `failed_records` entry of a strict `/import`.
public struct EventFailure: Sendable, Equatable, Error {
    /// Index of the event in its request.
    public var index: Int
    /// The event's `$insert_id`, when it had a string one.
    public var insertID: String?
    /// The offending field, e.g. `properties.time`.
    public var field: String
    /// The message, e.g. `'properties.time' is invalid: must be specified as seconds since epoch`.
    public var message: String

    public init(index: Int, insertID: String?, field: String, message: String) {
        self.index = index
        self.insertID = insertID
        self.field = field
        self.message = message
    }
}

/// The result of ingesting one event through the Swift API.
public struct IngestResult: Sendable, Equatable {
    /// `nil` when the event was stored.
    public var failure: EventFailure?
    /// The distinct_id the event was stored under, before canonical resolution.
    public var distinctID: String?
    /// What the event did to identity clusters (`nil` for events that ask nothing).
    public var identity: IdentityOutcome?

    public var accepted: Bool { failure == nil }
}

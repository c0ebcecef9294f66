import SimCore

/// Checks one raw event against an ingestion path's rules (`mixpanel.md` §5.2, §5.3) and
/// normalises it. Pure: the same input, time and rules give the same result.
struct EventValidator {
    let rules: IngestionRules
    let token: String
    let mode: MixpanelWorld.IDMerge
    let now: SimTime
    let seed: UInt64

    /// 1971-01-01T00:00:00Z: earlier times are refused.
    static let earliest = SimTime(seconds: 31_536_000)
    static let forbiddenIDs: Set<String> = [
        "00000000-0000-0000-0000-000000000000", "anon", "anonymous", "nil", "none", "null", "n/a", "na",
        "undefined", "unknown", "<nil>", "0", "-1", "true", "false", "[]", "{}",
    ]

    /// Validates `raw`; `time`, when given, replaces `properties.time` (events the scenario supplies as values).
    func validate(_ raw: JSONValue, index: Int, time explicit: SimTime? = nil) -> Result<IngestedEvent, EventFailure> {
        let insertID = raw["properties"]?["$insert_id"]?.stringValue
        func fail(_ field: String, _ reason: String) -> Result<IngestedEvent, EventFailure> {
            .failure(EventFailure(index: index, insertID: insertID, field: field, message: "'\(field)' is invalid: \(reason)"))
        }
        guard let name = raw["event"]?.stringValue, !name.isEmpty else { return fail("event", "must be a non-empty string") }
        guard var properties = raw["properties"]?.objectValue else { return fail("properties", "must be an object") }
        if rules.requireToken && properties["token"]?.stringValue != token {
            return fail("properties.token", "must be the project token")
        }
        guard properties.count < 255 else { return fail("properties", "must have fewer than 255 properties") }
        let time: SimTime
        switch eventTime(properties["time"], explicit: explicit, isMerge: name == "$merge") {
        case .success(let value): time = value
        case .failure(let reason): return fail("properties.time", reason.text)
        }
        let identity: (id: String?, operation: IdentityOperation?)
        switch resolveIdentity(name: name, properties: &properties) {
        case .success(let value): identity = value
        case .failure(let failure): return fail(failure.field, failure.text)
        }
        guard let distinctID = identity.id ?? (rules.requireDistinctID ? nil : "") else {
            return fail("properties.distinct_id", "must be specified")
        }
        if rules.rejectForbiddenIDs && Self.forbiddenIDs.contains(distinctID.lowercased()) {
            return fail("properties.distinct_id", "'\(distinctID)' is not allowed as a distinct_id")
        }
        let given = properties["$insert_id"]
        // Recorded (mixpanel/mixpanel-utils#40, 2022): an insert id failure names the field `$insert_id`,
        // without `properties.`, and a bad character is checked before the length.
        if let given, let reason = insertIDProblem(given) { return fail("$insert_id", reason) }
        if given == nil && rules.requireInsertID && name != "$merge" { return fail("$insert_id", "must be specified") }
        let finalInsertID = given?.stringValue ?? StableHash.hex(seed: seed, length: 32, "insert_id", name, distinctID,
                                                                 String(time.milliseconds), String(now.milliseconds), String(index))
        for key in ["token", "time", "distinct_id", "$insert_id"] { properties.removeValue(forKey: key) }
        return .success(IngestedEvent(name: name, distinctID: distinctID, time: time, insertID: finalInsertID,
                                      deduplicate: given != nil, properties: properties.mapValues(Self.truncated),
                                      identity: identity.operation))
    }

    /// A reason, with the field it concerns.
    struct Reason: Error {
        var field = ""
        var text: String
    }

    private func eventTime(_ value: JSONValue?, explicit: SimTime?, isMerge: Bool) -> Result<SimTime, Reason> {
        let time: SimTime
        if let explicit {
            time = explicit
        } else if let value {
            guard let number = value.doubleValue, number.isFinite else {
                return .failure(Reason(text: "must be specified as seconds since epoch"))
            }
            // Seconds or milliseconds since the epoch: 1e11 s would be the year 5138.
            time = SimTime(milliseconds: number >= 1e11 ? Int64(number) : Int64((number * 1000).rounded(.down)))
        } else {
            return rules.requireTime && !isMerge ? .failure(Reason(text: "must be specified as seconds since epoch")) : .success(now)
        }
        guard rules.checkTimeWindow else { return .success(time) }
        if time < Self.earliest { return .failure(Reason(text: "must be after 1971-01-01 (seconds or milliseconds since epoch)")) }
        if time > now.adding(.hours(1)) { return .failure(Reason(text: "must not be more than 1 hour in the future")) }
        if let maxAge = rules.maxAge, time < now.adding(SimDuration(milliseconds: -maxAge.milliseconds)) {
            return .failure(Reason(text: "events older than 5 days must be sent to /import"))
        }
        return .success(min(time, now))  // A22: up to 1 h ahead is clamped to the ingestion time
    }

    /// Why an `$insert_id` is refused, or nil. Only the character rule's wording is recorded;
    /// the others are the fake's.
    private func insertIDProblem(_ value: JSONValue) -> String? {
        guard let text = value.stringValue, !text.isEmpty else { return "must be a non-empty string" }
        guard text.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" }) else {
            return "must only contain alphanumeric or hyphen '-' characters"
        }
        guard text.utf8.count <= 36 else { return "must be at most 36 bytes" }
        return Self.forbiddenIDs.contains(text.lowercased()) ? "'\(text)' is not allowed as an insert id" : nil
    }

    /// Strings are truncated to 255 characters, at any depth.
    static func truncated(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let s): return s.count > 255 ? .string(String(s.prefix(255))) : value
        case .array(let a): return .array(a.map(truncated))
        case .object(let o): return .object(o.mapValues(truncated))
        default: return value
        }
    }
}

import SimCore

extension EventValidator {
    typealias Resolution = (id: String?, operation: IdentityOperation?)

    /// The event's distinct_id and the identity change it asks for, under the project's mode.
    func resolveIdentity(name: String, properties: inout [String: JSONValue]) -> Result<Resolution, Reason> {
        switch mode {
        case .original: return original(name: name, properties: properties)
        case .simplified: return .success(simplified(name: name, properties: &properties))
        }
    }

    /// Original ID Merge: `$identify`, `$create_alias` and `$merge` (the last through `/import` only).
    private func original(name: String, properties: [String: JSONValue]) -> Result<Resolution, Reason> {
        let given = Self.id(properties["distinct_id"])
        switch name {
        case "$identify":
            guard let identified = Self.id(properties["$identified_id"]), !identified.isEmpty else {
                return .failure(Reason(field: "properties.$identified_id", text: "must be specified for $identify"))
            }
            guard let anon = Self.id(properties["$anon_id"]), !anon.isEmpty else {
                return .failure(Reason(field: "properties.$anon_id", text: "must be specified for $identify"))
            }
            return .success((given ?? identified, .identify(identified: identified, anon: anon)))
        case "$create_alias":
            guard let alias = Self.id(properties["alias"]), !alias.isEmpty else {
                return .failure(Reason(field: "properties.alias", text: "must be specified for $create_alias"))
            }
            guard let target = given, !target.isEmpty else {
                return .failure(Reason(field: "properties.distinct_id", text: "must be specified for $create_alias"))
            }
            return .success((target, .alias(alias: alias, distinctID: target)))
        case "$merge":
            guard let ids = Self.mergeIDs(properties["$distinct_ids"]) else {
                return .failure(Reason(field: "properties.$distinct_ids", text: "must be an array of exactly 2 distinct_ids"))
            }
            return .success((given ?? ids[0], rules.allowMerge ? .merge(ids[0], ids[1]) : nil))
        default:
            return .success((given, given.flatMap { $0.isEmpty ? nil : .seen($0) }))
        }
    }

    /// Simplified ID Merge: `$user_id` wins, `$device_id` becomes `$device:<id>`, and the first
    /// event with both links them. Special identity events are stored but never merge (A4).
    private func simplified(name: String, properties: inout [String: JSONValue]) -> Resolution {
        let user = Self.id(properties["$user_id"]).flatMap { $0.isEmpty ? nil : $0 }
        let device = Self.id(properties["$device_id"]).flatMap { $0.isEmpty ? nil : $0 }
        if let user {
            return (user, device.map { .link(device: "$device:" + $0, user: user) } ?? .seen(user))
        }
        if let device { return ("$device:" + device, .seen("$device:" + device)) }
        let fallback: String? = switch name {
        case "$identify": Self.id(properties["$identified_id"])
        case "$merge": Self.mergeIDs(properties["$distinct_ids"])?.first
        default: nil
        }
        guard let given = Self.id(properties["distinct_id"]) ?? fallback, !given.isEmpty else {
            return (Self.id(properties["distinct_id"]), nil)
        }
        if given.hasPrefix("$device:") {
            properties["$device_id"] = .string(String(given.dropFirst("$device:".count)))
        } else {
            properties["$user_id"] = .string(given)
        }
        return (given, .seen(given))
    }

    /// A string id, or an integer written as a string.
    static func id(_ value: JSONValue?) -> String? {
        value?.stringValue ?? value?.intValue.map(String.init)
    }

    private static func mergeIDs(_ value: JSONValue?) -> [String]? {
        guard let list = value?.arrayValue, list.count == 2 else { return nil }
        let ids = list.compactMap(\.stringValue)
        return ids.count == 2 && !ids.contains("") ? ids : nil
    }
}

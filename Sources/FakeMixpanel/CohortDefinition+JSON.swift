import SimCore

extension CohortDefinition {
    /// The canonical JSON form stored in the fake's database.
    public var json: JSONValue {
        switch self {
        case .ids(let ids): return ["ids": .array(ids.map { .string($0) })]
        case .property(let name, let op, let value):
            var object: [String: JSONValue] = ["name": .string(name), "operator": .string(op.rawValue)]
            if let value { object["value"] = value }
            return ["property": .object(object)]
        case .did(let event, let atLeast, let withinDays):
            return ["did": ["event": .string(event), "at_least": .int(Int64(atLeast)), "within_days": .int(Int64(withinDays))]]
        case .all(let parts): return ["all": .array(parts.map(\.json))]
        case .any(let parts): return ["any": .array(parts.map(\.json))]
        case .not(let part): return ["not": part.json]
        }
    }

    /// Reads the form written by ``json``.
    public init?(json: JSONValue) {
        guard let object = json.objectValue, object.count == 1, let (key, value) = object.first else { return nil }
        switch key {
        case "ids":
            guard let ids = value.arrayValue?.compactMap(\.stringValue) else { return nil }
            self = .ids(ids)
        case "property":
            guard let name = value["name"]?.stringValue, let op = value["operator"]?.stringValue.flatMap(PropertyOperator.init) else { return nil }
            self = .property(name: name, op: op, value: value["value"])
        case "did":
            guard let event = value["event"]?.stringValue, let atLeast = value["at_least"]?.intValue,
                  let days = value["within_days"]?.intValue else { return nil }
            self = .did(event: event, atLeast: Int(atLeast), withinDays: Int(days))
        case "all", "any":
            guard let parts = value.arrayValue?.compactMap(CohortDefinition.init(json:)) else { return nil }
            self = key == "all" ? .all(parts) : .any(parts)
        case "not":
            guard let part = CohortDefinition(json: value) else { return nil }
            self = .not(part)
        default:
            return nil
        }
    }
}

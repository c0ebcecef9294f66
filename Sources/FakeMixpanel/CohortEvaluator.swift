import SimCore

/// Decides cohort membership for canonical users at one instant.
struct CohortEvaluator {
    /// What the evaluator knows about one canonical user.
    struct User {
        var profile: [String: JSONValue]?
        /// Event name → times (virtual), for behavioural rules.
        var events: [String: [SimTime]]
    }

    let now: SimTime
    let canonical: (String) -> String

    func contains(_ definition: CohortDefinition, user id: String, _ user: User) -> Bool {
        switch definition {
        case .ids(let ids):
            return ids.contains { canonical($0) == id }
        case .property(let name, let op, let value):
            return matches(user.profile?[name], op, value)
        case .did(let event, let atLeast, let withinDays):
            let since = now.adding(.days(-Int64(withinDays)))
            let count = user.events[event, default: []].filter { $0 > since && $0 <= now }.count
            return count >= atLeast
        case .all(let parts):
            return parts.allSatisfy { contains($0, user: id, user) }
        case .any(let parts):
            return parts.contains { contains($0, user: id, user) }
        case .not(let part):
            return !contains(part, user: id, user)
        }
    }

    private func matches(_ actual: JSONValue?, _ op: CohortDefinition.PropertyOperator, _ expected: JSONValue?) -> Bool {
        switch op {
        case .isSet: return actual != nil && actual != .null
        case .isNotSet: return actual == nil || actual == .null
        case .equals: return actual != nil && loosely(actual!) == expected.map(loosely)
        case .notEquals: return actual == nil || loosely(actual!) != expected.map(loosely)
        case .contains:
            guard let a = actual, let e = expected?.stringValue else { return false }
            if let list = a.arrayValue { return list.contains { $0.stringValue == e } }
            return a.stringValue?.lowercased().contains(e.lowercased()) ?? false
        case .greaterThan:
            guard let a = actual?.doubleValue, let e = expected?.doubleValue else { return false }
            return a > e
        case .lessThan:
            guard let a = actual?.doubleValue, let e = expected?.doubleValue else { return false }
            return a < e
        }
    }

    /// Numbers compare by value whatever their JSON spelling.
    private func loosely(_ value: JSONValue) -> JSONValue {
        if let d = value.doubleValue { return .double(d) }
        return value
    }
}

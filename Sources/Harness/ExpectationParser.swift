import SimCore

/// Reads the `expect` kinds added for issue 16: counts by reason, MTU, requests and snapshots.
enum ExpectationParser {
    static let requestKeys = ["service", "method", "path", "after", "before", "body", "count", "at_least", "at_most", "none"]
    static let snapshotKeys = ["cohort", "audience", "absent", "count", "contains", "lacks"]
    /// `{no-email: 2, "compliance: unsubscribed": 1, Invalid Resource: 0}`: a count per reason, as
    /// the outcome's `skipped:` and `rejected:` lines spell them.
    static func countsByReason(_ node: YAMLNode) throws -> [String: Int] {
        guard let object = try node.json().objectValue, !object.isEmpty else {
            throw node.error("\(node.path) must be a mapping of reasons to counts, e.g. {no-email: 1}")
        }
        var counts: [String: Int] = [:]
        for (reason, value) in object {
            guard case .int(let n) = value, n >= 0 else { throw node.error("\(node.path).\(reason) must be a count (0 or more)") }
            counts[reason] = Int(n)
        }
        return counts
    }

    static func mtu(_ node: YAMLNode) throws -> Expectation {
        let m = try node.mapping(allowed: ["month", "users", "billable"])
        let month = try m.required("month").string()
        guard month.count == 7, SimTime(iso8601: month + "-01T00:00:00Z") != nil else {
            throw try m.required("month").error("\(node.path).month must be a month such as 2026-03, found '\(month)'")
        }
        let users = try m["users"].map { Int(try $0.int()) }, billable = try m["billable"].map { Int(try $0.int()) }
        guard users != nil || billable != nil else { throw node.error("\(node.path) needs users or billable") }
        return .mtu(month: month, users: users, billable: billable)
    }

    static func requests(_ node: YAMLNode, start: SimTime) throws -> Expectation {
        let m = try node.mapping(allowed: requestKeys)
        var facts = Expectation.RequestFacts()
        facts.service = try m["service"]?.choice(["mailchimp", "mixpanel"])
        facts.method = try m["method"]?.choice(["GET", "POST", "PUT", "PATCH", "DELETE"])
        facts.path = try m["path"]?.string()
        facts.after = try m["after"]?.time(relativeTo: start)
        facts.before = try m["before"]?.time(relativeTo: start)
        if let body = m["body"] {
            guard let object = try body.json().objectValue, !object.isEmpty else {
                throw body.error("\(node.path).body must be a mapping of fields (dotted paths) to values")
            }
            facts.body = object
        }
        facts.count = try m["count"].map { Int(try $0.int()) }
        facts.atLeast = try m["at_least"].map { Int(try $0.int()) }
        facts.atMost = try m["at_most"].map { Int(try $0.int()) }
        if try m["none"]?.bool() == true { facts.count = 0 }
        let bounds = [m["count"], m["at_least"], m["at_most"], m["none"]].compactMap { $0 }.count
        guard bounds >= 1 else { throw node.error("\(node.path) needs one of count, at_least, at_most or none: true") }
        if m["none"] != nil && bounds > 1 { throw node.error("\(node.path): none: true goes with no other count") }
        return .requests(facts)
    }

    static func snapshot(_ node: YAMLNode) throws -> Expectation {
        let m = try node.mapping(allowed: snapshotKeys)
        func strings(_ n: YAMLNode?) throws -> [String] { try n?.sequence().map { try $0.string() } ?? [] }
        let facts = Expectation.SnapshotFacts(cohort: try m.required("cohort").string(), audience: try m.required("audience").string(),
                                              absent: try m["absent"]?.bool() ?? false, count: try m["count"].map { Int(try $0.int()) },
                                              contains: try strings(m["contains"]), lacks: try strings(m["lacks"]))
        return .snapshot(facts)
    }
}

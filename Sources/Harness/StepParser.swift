import ExportEngine
import SimCore

/// Reads one timeline step: a mapping with exactly one step kind as its key.
enum StepParser {
    static func parse(_ node: YAMLNode) throws -> Step {
        let map = try node.mapping(allowed: Step.kinds)
        guard map.keys.count == 1, let kind = map.keys.first, let body = map[kind] else {
            throw node.error("\(node.path) must have exactly one step kind (\(Step.kinds.joined(separator: ", ")))")
        }
        return Step(line: node.line, action: try action(kind, body))
    }

    private static func action(_ kind: String, _ body: YAMLNode) throws -> Step.Action {
        switch kind {
        case "connect":
            if case .scalar = body.node, (try? body.string()) == "" { return .connect(apiKey: nil) }
            let map = try body.mapping(allowed: ["api_key"])
            return .connect(apiKey: try map["api_key"]?.string())
        case "disconnect":
            return .disconnect
        case "export":
            let map = try body.mapping(allowed: ["cohort", "audience", "mode"])
            let mode = try map["mode"]?.choice(ExportMode.allCases.map(\.rawValue)) ?? "one-time"
            return .export(cohort: try map.required("cohort").string(), audience: try map.required("audience").string(),
                           mode: ExportMode(rawValue: mode)!)
        case "stop_export":
            let map = try body.mapping(allowed: ["cohort", "audience"])
            return .stopExport(cohort: try map.required("cohort").string(), audience: try map.required("audience").string())
        case "wait":
            return .wait(try body.duration())
        case "set_profile":
            let map = try body.mapping(allowed: ["distinct_id", "set", "unset"])
            let set = try map["set"]?.json() ?? .object([:])
            guard let object = set.objectValue else { throw map["set"]!.error("set must be a mapping of properties") }
            return .setProfile(distinctID: try map.required("distinct_id").string(), set: object,
                               unset: try map["unset"]?.sequence().map { try $0.string() } ?? [])
        case "delete_profile":
            let map = try body.mapping(allowed: ["distinct_id"])
            return .deleteProfile(distinctID: try map.required("distinct_id").string())
        case "rename_cohort":
            let map = try body.mapping(allowed: ["cohort", "to"])
            return .renameCohort(cohort: try map.required("cohort").string(), to: try map.required("to").string())
        case "delete_cohort":
            let map = try body.mapping(allowed: ["cohort"])
            return .deleteCohort(cohort: try map.required("cohort").string())
        default:
            return .expect(try expectations(body))
        }
    }

    /// `expect:` takes a mapping of kinds, or a list of such mappings.
    private static func expectations(_ body: YAMLNode) throws -> [Expectation] {
        let items: [YAMLNode]
        if case .sequence = body.node { items = try body.sequence() } else { items = [body] }
        var result: [Expectation] = []
        for item in items {
            let map = try item.mapping(allowed: Expectation.kinds)
            for kind in map.keys { result.append(try expectation(kind, map[kind]!)) }
        }
        guard !result.isEmpty else { throw body.error("expect needs at least one of: \(Expectation.kinds.joined(separator: ", "))") }
        return result
    }

    private static func expectation(_ kind: String, _ node: YAMLNode) throws -> Expectation {
        func strings(_ n: YAMLNode?) throws -> [String] { try n?.sequence().map { try $0.string() } ?? [] }
        switch kind {
        case "member":
            let m = try node.mapping(allowed: ["audience", "email", "status", "tags", "has_tag", "lacks_tag", "absent"])
            return .member(audience: try m.required("audience").string(), email: try m.required("email").string(),
                           status: try m["status"]?.string(), tags: try m["tags"].map { try strings($0) },
                           hasTags: try m["has_tag"].map { [try $0.string()] } ?? [],
                           lacksTags: try m["lacks_tag"].map { [try $0.string()] } ?? [],
                           absent: try m["absent"]?.bool() ?? false)
        case "tag":
            let m = try node.mapping(allowed: ["audience", "name", "count"])
            return .tagCount(audience: try m.required("audience").string(), tag: try m.required("name").string(),
                             count: Int(try m.required("count").int()))
        case "run":
            let m = try node.mapping(allowed: ["number", "outcome", "added", "removed", "exported"])
            return .run(number: try m.required("number").int(),
                        outcome: try m["outcome"]?.choice(["succeeded", "failed", "paused", "interrupted"]),
                        added: try m["added"].map { Int(try $0.int()) }, removed: try m["removed"].map { Int(try $0.int()) },
                        exported: try m["exported"].map { Int(try $0.int()) })
        case "sync":
            let m = try node.mapping(allowed: ["cohort", "audience", "state"])
            return .sync(cohort: try m.required("cohort").string(), audience: try m.required("audience").string(),
                         state: try m.required("state").choice(["Active", "Paused", "Stopped", "Finished"]))
        default:
            return .runCount(Int(try node.int()))
        }
    }
}

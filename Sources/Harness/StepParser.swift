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
        default:
            let map = try body.mapping(allowed: ["cohort"])
            return .deleteCohort(cohort: try map.required("cohort").string())
        }
    }
}

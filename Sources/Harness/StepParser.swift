import ExportEngine
import FakeMailchimp
import SimCore

/// Reads one timeline step: a mapping with exactly one step kind as its key.
enum StepParser {
    /// `start` is the scenario's start: a step time may be an offset from it, as in
    /// `mixpanel.events[].time`.
    static func parse(_ node: YAMLNode, start: SimTime) throws -> Step {
        let map = try node.mapping(allowed: Step.kinds)
        guard map.keys.count == 1, let kind = map.keys.first, let body = map[kind] else {
            throw node.error("\(node.path) must have exactly one step kind (\(Step.kinds.joined(separator: ", ")))")
        }
        return Step(line: node.line, action: try action(kind, body, start: start))
    }

    private static func action(_ kind: String, _ body: YAMLNode, start: SimTime) throws -> Step.Action {
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
        case "expect":
            return .expect(try expectations(body, start: start))
        case "track":
            let map = try body.mapping(allowed: ["event", "distinct_id", "user_id", "device_id", "properties", "time"])
            var properties = try map["properties"]?.json().objectValue ?? [:]
            if let id = map["distinct_id"] { properties["distinct_id"] = .string(try id.string()) }
            if let id = map["user_id"] { properties["$user_id"] = .string(try id.string()) }
            if let id = map["device_id"] { properties["$device_id"] = .string(try id.string()) }
            let time = try map["time"]?.time(relativeTo: start)
            return .track(event: try map.required("event").string(), properties: properties, time: time)
        case "contact":
            let map = try body.mapping(allowed: ["audience", "email", "action", "to"])
            let action = try map.required("action").choice(Step.ContactAction.allCases.map(\.rawValue))
            return .contact(audience: try map.required("audience").string(), email: try map.required("email").string(),
                            action: Step.ContactAction(rawValue: action)!, to: try map["to"]?.string())
        case "campaign":
            let map = try body.mapping(allowed: ["audience", "tag", "subject", "activity"])
            let activity = try map["activity"]?.sequence().map { item -> Step.CampaignActivity in
                let a = try item.mapping(allowed: ["email", "action", "url", "bounce"])
                return Step.CampaignActivity(
                    email: try a.required("email").string(),
                    action: CampaignAction(rawValue: try a.required("action").choice(CampaignAction.allCases.map(\.rawValue)))!,
                    url: try a["url"]?.string(),
                    bounce: try a["bounce"].map { BounceType(rawValue: try $0.choice(BounceType.allCases.map(\.rawValue)))! })
            } ?? []
            return .campaign(audience: try map.required("audience").string(), tag: try map["tag"]?.string(),
                             subject: try map["subject"]?.string() ?? "Campaign", activity: activity)
        case "revoke_api_key":
            return .revokeAPIKey
        case "new_api_key":
            let map = try body.mapping(allowed: ["api_key"])
            return .newAPIKey(try map.required("api_key").string())
        case "resume":
            let map = try body.mapping(allowed: ["cohort", "audience"])
            return .resume(cohort: try map.required("cohort").string(), audience: try map.required("audience").string())
        case "preview":
            let map = try body.mapping(allowed: ["cohort", "audience"])
            return .preview(cohort: try map.required("cohort").string(), audience: try map.required("audience").string())
        case "delete_audience":
            let map = try body.mapping(allowed: ["audience"])
            return .deleteAudience(audience: try map.required("audience").string())
        case "crash":
            let map = try body.mapping(allowed: ["at"])
            return .crash(at: CrashPoint(rawValue: try map.required("at").choice(CrashPoint.allCases.map(\.rawValue)))!)
        case "restart":
            return .restart
        default:
            let map = try body.mapping(allowed: ["audience"])
            return .importEngagement(audience: try map.required("audience").string())
        }
    }

    /// `expect:` takes a mapping of kinds, or a list of such mappings.
    private static func expectations(_ body: YAMLNode, start: SimTime) throws -> [Expectation] {
        let items: [YAMLNode]
        if case .sequence = body.node { items = try body.sequence() } else { items = [body] }
        var result: [Expectation] = []
        for item in items {
            let map = try item.mapping(allowed: Expectation.kinds)
            for kind in map.keys { result.append(try expectation(kind, map[kind]!, start: start)) }
        }
        guard !result.isEmpty else { throw body.error("expect needs at least one of: \(Expectation.kinds.joined(separator: ", "))") }
        return result
    }

    private static func expectation(_ kind: String, _ node: YAMLNode, start: SimTime) throws -> Expectation {
        func strings(_ n: YAMLNode?) throws -> [String] { try n?.sequence().map { try $0.string() } ?? [] }
        switch kind {
        case "member":
            let m = try node.mapping(allowed: ["audience", "email", "status", "tags", "has_tag", "lacks_tag", "merge_fields", "absent"])
            var mergeFields: [String: JSONValue] = [:]
            if let fields = m["merge_fields"] {
                guard let object = try fields.json().objectValue else { throw fields.error("merge_fields must be a mapping") }
                mergeFields = object
            }
            return .member(audience: try m.required("audience").string(), email: try m.required("email").string(),
                           status: try m["status"]?.string(), tags: try m["tags"].map { try strings($0) },
                           hasTags: try m["has_tag"].map { [try $0.string()] } ?? [],
                           lacksTags: try m["lacks_tag"].map { [try $0.string()] } ?? [],
                           mergeFields: mergeFields, absent: try m["absent"]?.bool() ?? false)
        case "tag":
            let m = try node.mapping(allowed: ["audience", "name", "count"])
            return .tagCount(audience: try m.required("audience").string(), tag: try m.required("name").string(),
                             count: Int(try m.required("count").int()))
        case "run":
            let m = try node.mapping(allowed: ["number", "outcome", "added", "removed", "exported", "slots_skipped", "late",
                                               "lasted_at_least", "lasted_at_most", "skipped", "rejected"])
            return .run(.init(number: try m.required("number").int(),
                              outcome: try m["outcome"]?.choice(["succeeded", "failed", "paused", "interrupted", "cancelled"]),
                              added: try m["added"].map { Int(try $0.int()) }, removed: try m["removed"].map { Int(try $0.int()) },
                              exported: try m["exported"].map { Int(try $0.int()) },
                              slotsSkipped: try m["slots_skipped"].map { Int(try $0.int()) }, late: try m["late"]?.bool(),
                              lastedAtLeast: try m["lasted_at_least"]?.duration(), lastedAtMost: try m["lasted_at_most"]?.duration(),
                              skipped: try m["skipped"].map(ExpectationParser.countsByReason) ?? [:],
                              rejected: try m["rejected"].map(ExpectationParser.countsByReason) ?? [:]))
        case "sync":
            let m = try node.mapping(allowed: ["cohort", "audience", "state"])
            return .sync(cohort: try m.required("cohort").string(), audience: try m.required("audience").string(),
                         state: try m.required("state").choice(["Active", "Paused", "Stopped", "Finished"]))
        case "mtu":
            return try ExpectationParser.mtu(node)
        case "requests":
            return try ExpectationParser.requests(node, start: start)
        case "snapshot":
            return try ExpectationParser.snapshot(node)
        default:
            return .runCount(Int(try node.int()))
        }
    }
}

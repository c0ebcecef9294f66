import ExportEngine
import FakeMailchimp
import FakeMixpanel
import Foundation
import SimCore
import Yams

/// Reads scenario files strictly: unknown keys and wrong types are errors naming file:line:column.
public enum ScenarioParser {
    /// Keys accepted at each level; the JSON Schema in `docs/scenario.schema.json` mirrors them.
    public static let topLevelKeys = ["name", "description", "tags", "seed", "start", "engine", "mixpanel", "mailchimp", "steps"]
    public static let mixpanelKeys = ["project_id", "token", "id_merge", "service_account", "profiles", "events", "cohorts",
                                      "generate_profiles", "mtu", "identity", "rate_limits", "session_pages_count", "page_size", "latency", "faults"]
    public static let mailchimpKeys = ["api_key", "account_name", "fake_emails", "refused_domains", "audiences", "faults", "latency", "other_clients", "sabotage"]
    public static let engineKeys = ["existing_contacts", "status_if_new"]
    static let serviceAccountKeys = ["username", "secret", "role"]
    static let profileKeys = ["distinct_id", "properties"]
    static let generatedProfileKeys = ["count", "id_prefix", "email_domain", "properties"]
    static let eventKeys = ["event", "distinct_id", "time", "properties"]
    static let cohortKeys = ["id", "name", "description", "definition"]
    static let definitionKeys = ["ids", "property", "did", "all", "any", "not"]
    static let audienceKeys = ["id", "name", "merge_fields", "members"]
    static let memberKeys = ["email", "status", "unsubscribed_by", "unsubscribe_reason", "tags", "merge_fields", "forgotten"]

    /// Parses the file at `path`; `id` names its golden.
    public static func parse(file path: String, id: String) throws -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(file: path, line: 1, column: 1, message: "cannot read the file")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path, id: id)
    }

    public static func parse(_ text: String, file: String, id: String) throws -> Scenario {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ScenarioError(file: file, line: 1, column: 1, message: "the file is empty")
            }
            root = node
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        }
        // Each section, option and step is parsed on its own, so every error of the file is
        // reported at once; the first that cannot be skipped (the top-level mapping) stops here.
        var errors = ScenarioErrorCollector()
        let top = try YAMLNode(node: root, file: file, path: "").mapping(allowed: topLevelKeys)
        let start: SimTime = try errors.attempt { () throws -> SimTime? in
            try top["start"].map { node -> SimTime in
                guard let t = SimTime(iso8601: try node.string()) else { throw node.error("start must be an ISO 8601 time such as 2026-03-02T09:00:00Z") }
                return t
            }
        }.flatMap { $0 } ?? SimTime(iso8601: "2026-01-05T09:00:00Z")!
        let seed: UInt64 = try errors.attempt { () throws -> UInt64? in
            try top["seed"].map { node -> UInt64 in
                let value = try node.int()
                guard value >= 0 else { throw node.error("seed must not be negative") }
                return UInt64(value)
            }
        }.flatMap { $0 } ?? 1
        let engine = try errors.attempt { try parseEngine(top["engine"]) } ?? EngineSettings()
        let mixpanel: MixpanelWorld = try errors.attempt { () throws -> MixpanelWorld? in
            try top["mixpanel"].map { try parseMixpanel($0, start: start) }
        }.flatMap { $0 } ?? defaultMixpanel()
        let mailchimp: MailchimpWorld = try errors.attempt { () throws -> MailchimpWorld? in
            try top["mailchimp"].map(parseMailchimp)
        }.flatMap { $0 } ?? MailchimpWorld(apiKey: defaultAPIKey)
        let stepNodes = try errors.attempt { try top.required("steps").sequence() } ?? []
        var steps: [Step] = []
        for node in stepNodes {
            if let step = try errors.attempt({ try StepParser.parse(node, start: start) }) { steps.append(step) }
        }
        let name = try errors.attempt { try top.required("name").string() } ?? ""
        let description: String = try errors.attempt { () throws -> String? in try top["description"]?.string() }.flatMap { $0 } ?? ""
        let tags: [String] = try errors.attempt { () throws -> [String]? in
            try top["tags"]?.sequence().map { try $0.string() }
        }.flatMap { $0 } ?? []
        var scenario = Scenario(file: file, id: id, name: name, description: description, tags: tags,
                                seed: seed, start: start, mixpanel: mixpanel, mailchimp: mailchimp, engine: engine, steps: steps)
        if let block = try errors.attempt({ () throws -> YAMLMapping? in try top["mixpanel"]?.mapping(allowed: mixpanelKeys) }).flatMap({ $0 }) {
            try parseMixpanelOptions(block, start: start, into: &scenario, errors: &errors)
        }
        if let block = try errors.attempt({ () throws -> YAMLMapping? in try top["mailchimp"]?.mapping(allowed: mailchimpKeys) }).flatMap({ $0 }) {
            if let n = block["faults"] { try errors.attempt { scenario.mailchimpFaults = try WorldOptionsParser.faults(n, start: start) } }
            if let n = block["latency"] {
                try errors.attempt { scenario.mailchimpLatency = try WorldOptionsParser.latency(n, defaults: MailchimpLatency.standard, start: start) }
            }
            if let n = block["other_clients"] { try errors.attempt { scenario.mailchimpOtherClients = try WorldOptionsParser.otherClients(n, start: start) } }
        }
        try errors.finish()
        return scenario
    }

    static let defaultAPIKey = "0123456789abcdef0123456789abcdef-us6"

    private static func parseEngine(_ node: YAMLNode?) throws -> EngineSettings {
        var engine = EngineSettings()
        guard let node else { return engine }
        let map = try node.mapping(allowed: engineKeys)
        if let s = map["status_if_new"] { engine.statusIfNew = try s.choice(["subscribed", "pending"]) }
        if let s = map["existing_contacts"] {
            engine.existingContacts = ExistingContactHandling(rawValue: try s.choice(ExistingContactHandling.allCases.map(\.rawValue)))!
        }
        return engine
    }

    /// The fake Mixpanel's switches, limits, latency and faults; each option's error is collected.
    private static func parseMixpanelOptions(_ block: YAMLMapping, start: SimTime, into scenario: inout Scenario,
                                             errors: inout ScenarioErrorCollector) throws {
        if let n = block["mtu"] { try errors.attempt { scenario.mixpanelOptions.mtu = try WorldOptionsParser.mtu(n) } }
        if let n = block["identity"] { try errors.attempt { scenario.mixpanelOptions.identity = try WorldOptionsParser.identity(n) } }
        if let n = block["rate_limits"] { try errors.attempt { scenario.mixpanelOptions.queryRateLimit = try n.bool() } }
        if let n = block["session_pages_count"] { try errors.attempt { scenario.mixpanelOptions.sessionPagesCount = try n.bool() } }
        if let n = block["page_size"] {
            try errors.attempt {
                let size = try n.int()
                guard size >= 1, size <= Int64(FakeMixpanel.pageSize) else {
                    throw n.error("page_size must be from 1 to \(FakeMixpanel.pageSize) (the real page size), found \(size)")
                }
                scenario.mixpanelOptions.pageSize = Int(size)
            }
        }
        if let n = block["latency"] {
            try errors.attempt { scenario.mixpanelOptions.latency = try WorldOptionsParser.latency(n, defaults: MixpanelLatency.standard, start: start) }
        }
        if let n = block["faults"] { try errors.attempt { scenario.mixpanelOptions.faults = try WorldOptionsParser.faults(n, start: start) } }
    }

    static func defaultMixpanel() -> MixpanelWorld {
        MixpanelWorld(projectID: 1001, token: "cohortsimtoken", idMerge: .simplified,
                      serviceAccounts: [.init(username: "cohortsim.export", secret: "sa-secret", role: .admin)])
    }

    private static func yamlError(_ error: YamlError, file: String) -> ScenarioError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return ScenarioError(file: file, line: mark.line, column: mark.column, message: "YAML syntax: \(problem)")
        case .composer(_, let problem, let mark, _):
            return ScenarioError(file: file, line: mark.line, column: mark.column, message: "YAML: \(problem)")
        default:
            return ScenarioError(file: file, line: 1, column: 1, message: "YAML: \(error)")
        }
    }

    private static func parseMixpanel(_ node: YAMLNode, start: SimTime) throws -> MixpanelWorld {
        let map = try node.mapping(allowed: mixpanelKeys)
        var world = defaultMixpanel()
        if let n = map["project_id"] { world.projectID = try n.int() }
        if let n = map["token"] { world.token = try n.string() }
        if let n = map["id_merge"] { world.idMerge = MixpanelWorld.IDMerge(rawValue: try n.choice(MixpanelWorld.IDMerge.allCases.map(\.rawValue)))! }
        if let n = map["service_account"] {
            let sa = try n.mapping(allowed: serviceAccountKeys)
            world.serviceAccounts = [.init(username: try sa.required("username").string(), secret: try sa.required("secret").string(),
                                           role: MixpanelWorld.Role(rawValue: try sa["role"]?.choice(MixpanelWorld.Role.allCases.map(\.rawValue)) ?? "admin")!)]
        }
        world.profiles = try map["profiles"]?.sequence().map { item in
            let p = try item.mapping(allowed: profileKeys)
            let properties = try p["properties"]?.json() ?? .object([:])
            guard let object = properties.objectValue else { throw p["properties"]!.error("properties must be a mapping") }
            return MixpanelWorld.Profile(distinctID: try p.required("distinct_id").string(), properties: object)
        } ?? []
        if let node = map["generate_profiles"] { world.profiles += try generatedProfiles(node) }
        world.events = try map["events"]?.sequence().map { item in
            let e = try item.mapping(allowed: eventKeys)
            var properties = try e["properties"]?.json().objectValue ?? [:]
            properties["distinct_id"] = .string(try e.required("distinct_id").string())
            let time = try e["time"]?.time(relativeTo: start) ?? start
            return MixpanelWorld.Event(name: try e.required("event").string(), time: time, properties: properties)
        } ?? []
        world.cohorts = try map["cohorts"]?.sequence().map { item in
            let c = try item.mapping(allowed: cohortKeys)
            return MixpanelWorld.Cohort(id: try c.required("id").int(), name: try c.required("name").string(),
                                        description: try c["description"]?.string() ?? "",
                                        definition: try parseDefinition(try c.required("definition")))
        } ?? []
        return world
    }

    /// `count` profiles `<id_prefix>00001`… with `$email` `<id>@<email_domain>` and the given
    /// `properties`: worlds large enough to page and batch without listing every profile.
    static func generatedProfiles(_ node: YAMLNode) throws -> [MixpanelWorld.Profile] {
        let map = try node.mapping(allowed: generatedProfileKeys)
        let countNode = try map.required("count")
        let count = try countNode.int()
        guard (1...200_000).contains(count) else { throw countNode.error("count must be from 1 to 200000, found \(count)") }
        let prefix = try map["id_prefix"]?.string() ?? "user"
        let domain = try map["email_domain"]?.string() ?? "freddiesjokes.com"
        let extra = try map["properties"]?.json() ?? .object([:])
        guard let properties = extra.objectValue else { throw map["properties"]!.error("properties must be a mapping") }
        let width = max(5, String(count).count)
        return (1...count).map { index in
            let number = String(index)
            let id = prefix + String(repeating: "0", count: width - number.count) + number
            var values = properties
            values["$email"] = .string("\(id)@\(domain)")
            return MixpanelWorld.Profile(distinctID: id, properties: values)
        }
    }

    static func parseDefinition(_ node: YAMLNode) throws -> CohortDefinition {
        let map = try node.mapping(allowed: definitionKeys)
        guard map.keys.count == 1, let key = map.keys.first, let value = map[key] else {
            throw node.error("\(node.path) must have exactly one of: \(definitionKeys.joined(separator: ", "))")
        }
        switch key {
        case "ids": return .ids(try value.sequence().map { try $0.string() })
        case "property":
            let p = try value.mapping(allowed: ["name", "operator", "value"])
            let op = try p.required("operator").choice(CohortDefinition.PropertyOperator.allCases.map(\.rawValue))
            return .property(name: try p.required("name").string(), op: CohortDefinition.PropertyOperator(rawValue: op)!,
                             value: try p["value"]?.json())
        case "did":
            let d = try value.mapping(allowed: ["event", "at_least", "within_days"])
            return .did(event: try d.required("event").string(), atLeast: Int(try d["at_least"]?.int() ?? 1),
                        withinDays: Int(try d["within_days"]?.int() ?? 30))
        case "all": return .all(try value.sequence().map(parseDefinition))
        case "any": return .any(try value.sequence().map(parseDefinition))
        default: return .not(try parseDefinition(value))
        }
    }

    /// A domain for `refused_domains`: letters, digits, `-` and `.`, at least one dot, no `@`.
    static func domainName(_ node: YAMLNode) throws -> String {
        let name = try node.string()
        let allowed = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
        guard allowed, name.contains("."), !name.hasPrefix("."), !name.hasSuffix("."), !name.contains("..") else {
            throw node.error("\(node.path) must be a domain name such as mailinator.com (no @, at least one dot), found \"\(name)\"")
        }
        return name.lowercased()
    }

    private static func parseMailchimp(_ node: YAMLNode) throws -> MailchimpWorld {
        let map = try node.mapping(allowed: mailchimpKeys)
        var world = MailchimpWorld(apiKey: try map["api_key"]?.string() ?? defaultAPIKey)
        if let n = map["account_name"] { world.accountName = try n.string() }
        world.fakeEmails = try map["fake_emails"]?.sequence().map { try $0.string() } ?? []
        world.refusedDomains = try map["refused_domains"]?.sequence().map(domainName) ?? []
        world.sabotage = try map["sabotage"]?.sequence().map {
            MailchimpWorld.Sabotage(rawValue: try $0.choice(MailchimpWorld.Sabotage.allCases.map(\.rawValue)))!
        } ?? []
        world.audiences = try map["audiences"]?.sequence().map { item in
            let a = try item.mapping(allowed: audienceKeys)
            var audience = MailchimpWorld.Audience(id: try a["id"]?.string(), name: try a.required("name").string())
            if let fields = a["merge_fields"] { audience.mergeFields = try fields.sequence().map { try $0.string() } }
            audience.members = try a["members"]?.sequence().map(parseMember) ?? []
            return audience
        } ?? []
        return world
    }

    private static func parseMember(_ node: YAMLNode) throws -> MailchimpWorld.Member {
        let m = try node.mapping(allowed: memberKeys)
        var member = MailchimpWorld.Member(email: try m.required("email").string())
        if let s = m["status"] { member.status = try s.choice(MailchimpWorld.statuses) }
        if let u = m["unsubscribed_by"] {
            member.unsubscribedBy = MailchimpWorld.UnsubscribedBy(rawValue: try u.choice(MailchimpWorld.UnsubscribedBy.allCases.map(\.rawValue)))!
        }
        if let reason = m["unsubscribe_reason"] {
            guard member.status == "unsubscribed" else { throw reason.error("unsubscribe_reason goes with status: unsubscribed") }
            member.unsubscribeReason = try reason.string()
        }
        member.tags = try m["tags"]?.sequence().map { try $0.string() } ?? []
        if let fields = m["merge_fields"] {
            guard let object = try fields.json().objectValue else { throw fields.error("merge_fields must be a mapping") }
            member.mergeFields = object.compactMapValues { $0.stringValue ?? $0.intValue.map(String.init) }
        }
        member.forgotten = try m["forgotten"]?.bool() ?? false
        return member
    }
}

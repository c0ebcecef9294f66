import ExportEngine
import FakeMailchimp
import FakeMixpanel
import SimCore
import SimHTTP
import Yams

/// Writes a ``Scenario`` as a scenario file that ``ScenarioParser`` reads back to the same
/// scenario (the fuzzer's shrunk cases). YAML is produced by Yams from a node tree; every text
/// value is double-quoted, so no address, id or name is ever re-read as a number or a boolean.
public enum ScenarioWriter {
    /// Why a scenario cannot be written.
    public struct Unwritable: Error, CustomStringConvertible {
        public var description: String
    }

    public static func yaml(_ scenario: Scenario) throws -> String {
        var top: [(String, Node)] = [
            ("name", text(scenario.name)),
        ]
        if !scenario.description.isEmpty { top.append(("description", text(scenario.description))) }
        if !scenario.tags.isEmpty { top.append(("tags", .sequence(.init(scenario.tags.map(text), .implicit, .flow)))) }
        top.append(("seed", number(Int64(scenario.seed))))
        top.append(("start", text(scenario.start.iso8601)))
        top.append(("engine", map([("existing_contacts", text(scenario.engine.existingContacts.rawValue)),
                                   ("status_if_new", text(scenario.engine.statusIfNew))])))
        top.append(("mixpanel", try mixpanel(scenario)))
        top.append(("mailchimp", try mailchimp(scenario)))
        top.append(("steps", .sequence(.init(try scenario.steps.map { try step($0.action, start: scenario.start) }))))
        return try Yams.serialize(node: map(top), width: -1, allowUnicode: true)
    }

    // MARK: Worlds

    private static func mixpanel(_ scenario: Scenario) throws -> Node {
        let world = scenario.mixpanel
        var fields: [(String, Node)] = [("project_id", number(world.projectID)), ("token", text(world.token)),
                                        ("id_merge", text(world.idMerge.rawValue))]
        guard world.serviceAccounts.count <= 1 else { throw Unwritable(description: "a scenario file holds one service account") }
        if let account = world.serviceAccounts.first {
            fields.append(("service_account", map([("username", text(account.username)), ("secret", text(account.secret)),
                                                   ("role", text(account.role.rawValue))])))
        }
        if !world.profiles.isEmpty {
            fields.append(("profiles", .sequence(.init(world.profiles.map { profile in
                map([("distinct_id", text(profile.distinctID)), ("properties", json(.object(profile.properties)))], flow: true)
            }))))
        }
        if !world.events.isEmpty {
            fields.append(("events", .sequence(.init(try world.events.map { event in
                var properties = event.properties
                guard let id = properties.removeValue(forKey: "distinct_id")?.stringValue else {
                    throw Unwritable(description: "event \(event.name) at \(event.time) has no distinct_id")
                }
                var item: [(String, Node)] = [("event", text(event.name)), ("distinct_id", text(id)), ("time", text(event.time.iso8601))]
                if !properties.isEmpty { item.append(("properties", json(.object(properties)))) }
                return map(item, flow: true)
            }))))
        }
        if !world.cohorts.isEmpty {
            fields.append(("cohorts", .sequence(.init(world.cohorts.map { cohort in
                var item: [(String, Node)] = [("id", number(cohort.id)), ("name", text(cohort.name))]
                if !cohort.description.isEmpty { item.append(("description", text(cohort.description))) }
                item.append(("definition", definition(cohort.definition)))
                return map(item, flow: true)
            }))))
        }
        let options = scenario.mixpanelOptions
        if options.mtu != MTUSettings() { fields.append(("mtu", mtu(options.mtu))) }
        if options.identity != IdentitySettings() { fields.append(("identity", identity(options.identity))) }
        if !options.queryRateLimit { fields.append(("rate_limits", bool(false))) }
        if !options.sessionPagesCount { fields.append(("session_pages_count", bool(false))) }
        if options.pageSize != FakeMixpanel.pageSize { fields.append(("page_size", number(Int64(options.pageSize)))) }
        if let node = try latency(options.latency, defaults: MixpanelLatency.standard) { fields.append(("latency", node)) }
        if !options.faults.isEmpty { fields.append(("faults", faults(options.faults))) }
        return map(fields)
    }

    private static func definition(_ definition: CohortDefinition) -> Node {
        switch definition {
        case .ids(let ids): return map([("ids", .sequence(.init(ids.map(text), .implicit, .flow)))], flow: true)
        case .property(let name, let op, let value):
            var fields: [(String, Node)] = [("name", text(name)), ("operator", text(op.rawValue))]
            if let value { fields.append(("value", json(value))) }
            return map([("property", map(fields, flow: true))], flow: true)
        case .did(let event, let atLeast, let withinDays):
            return map([("did", map([("event", text(event)), ("at_least", number(Int64(atLeast))),
                                     ("within_days", number(Int64(withinDays)))], flow: true))], flow: true)
        case .all(let parts): return map([("all", .sequence(.init(parts.map(Self.definition), .implicit, .flow)))], flow: true)
        case .any(let parts): return map([("any", .sequence(.init(parts.map(Self.definition), .implicit, .flow)))], flow: true)
        case .not(let part): return map([("not", Self.definition(part))], flow: true)
        }
    }

    private static func identity(_ settings: IdentitySettings) -> Node {
        map([("canonical_choice", text(settings.canonicalChoice.rawValue)), ("max_cluster_size", .scalar(.init(String(settings.maxClusterSize)))),
             ("reidentify", text(settings.reidentify.rawValue)), ("device_conflict", text(settings.deviceConflict.rawValue)),
             ("device_profiles", text(settings.deviceProfiles.rawValue))])
    }

    private static func mtu(_ settings: MTUSettings) -> Node {
        map([("month_basis", text(settings.monthBasis.rawValue)), ("user_basis", text(settings.userBasis.rawValue)),
             ("mailchimp_spellings", text(settings.mailchimpSpellings.rawValue)),
             ("exempt_engagement_events", bool(settings.exemptEngagementEvents)),
             ("guardrail_counts_all_events", bool(settings.guardrailCountsAllEvents)),
             ("require_source_for_exemption", bool(settings.requireSourceForExemption)),
             ("count_empty_distinct_id", bool(settings.countEmptyDistinctID))])
    }

    private static func mailchimp(_ scenario: Scenario) throws -> Node {
        let world = scenario.mailchimp
        var fields: [(String, Node)] = [("api_key", text(world.apiKey)), ("account_name", text(world.accountName))]
        if !world.fakeEmails.isEmpty { fields.append(("fake_emails", .sequence(.init(world.fakeEmails.map(text), .implicit, .flow)))) }
        if !world.refusedDomains.isEmpty { fields.append(("refused_domains", .sequence(.init(world.refusedDomains.map(text), .implicit, .flow)))) }
        if !world.sabotage.isEmpty { fields.append(("sabotage", .sequence(.init(world.sabotage.map { text($0.rawValue) }, .implicit, .flow)))) }
        fields.append(("audiences", .sequence(.init(world.audiences.map { audience in
            var item: [(String, Node)] = []
            if let id = audience.id { item.append(("id", text(id))) }
            item.append(("name", text(audience.name)))
            if audience.mergeFields != MailchimpWorld.Audience(name: "").mergeFields {
                item.append(("merge_fields", .sequence(.init(audience.mergeFields.map(text), .implicit, .flow))))
            }
            if !audience.members.isEmpty {
                item.append(("members", .sequence(.init(audience.members.map { member in
                    var m: [(String, Node)] = [("email", text(member.email)), ("status", text(member.status))]
                    if member.unsubscribedBy != .contact { m.append(("unsubscribed_by", text(member.unsubscribedBy.rawValue))) }
                    if !member.tags.isEmpty { m.append(("tags", .sequence(.init(member.tags.map(text), .implicit, .flow)))) }
                    if !member.mergeFields.isEmpty {
                        m.append(("merge_fields", map(member.mergeFields.sorted { $0.key < $1.key }.map { ($0.key, text($0.value)) }, flow: true)))
                    }
                    if member.forgotten { m.append(("forgotten", bool(true))) }
                    return map(m, flow: true)
                }))))
            }
            return map(item)
        }))))
        if !scenario.mailchimpFaults.isEmpty { fields.append(("faults", faults(scenario.mailchimpFaults))) }
        if let node = try latency(scenario.mailchimpLatency, defaults: MailchimpLatency.standard) { fields.append(("latency", node)) }
        if !scenario.mailchimpOtherClients.isEmpty {
            fields.append(("other_clients", .sequence(.init(scenario.mailchimpOtherClients.map { load in
                var item: [(String, Node)] = [("connections", number(Int64(load.connections)))]
                if let from = load.from { item.append(("from", text(from.iso8601))) }
                if let until = load.until { item.append(("until", text(until.iso8601))) }
                return map(item, flow: true)
            }))))
        }
        return map(fields)
    }

    /// `nil` for the service's defaults, `off`, or the rules written before the defaults.
    private static func latency(_ model: LatencyModel, defaults: LatencyModel) throws -> Node? {
        if model == defaults { return nil }
        if model == .off { return text("off") }
        let extra = model.rules.count - defaults.rules.count
        guard extra > 0, Array(model.rules.suffix(defaults.rules.count)) == defaults.rules else {
            throw Unwritable(description: "a latency model that does not extend the service's defaults cannot be written")
        }
        return .sequence(.init(model.rules.prefix(extra).map { rule in
            var fields: [(String, Node)] = []
            if let method = rule.method { fields.append(("method", text(method))) }
            if let path = rule.path { fields.append(("path", text(path))) }
            fields.append(("base", text(rule.base.description)))
            if rule.perKiB.milliseconds != 0 { fields.append(("per_kib", text(rule.perKiB.description))) }
            if rule.jitter != 0 { fields.append(("jitter", double(rule.jitter))) }
            if let from = rule.from { fields.append(("from", text(from.iso8601))) }
            if let until = rule.until { fields.append(("until", text(until.iso8601))) }
            return map(fields, flow: true)
        }))
    }

    private static func faults(_ rules: [FaultRule]) -> Node {
        .sequence(.init(rules.map { rule in
            var fields: [(String, Node)] = []
            if let method = rule.method { fields.append(("method", text(method))) }
            if let path = rule.path { fields.append(("path", text(path))) }
            switch rule.effect {
            case .status(let status): fields.append(("status", number(Int64(status))))
            case .htmlPage(let status): fields.append(("html", number(Int64(status))))
            case .emptyBody(let status): fields.append(("empty", number(Int64(status))))
            case .delay(let duration): fields.append(("delay", text(duration.description)))
            case .drop: fields.append(("drop", bool(true)))
            case .loseResponse: fields.append(("lose_response", bool(true)))
            }
            if let times = rule.times { fields.append(("times", number(Int64(times)))) }
            if let probability = rule.probability { fields.append(("probability", double(probability))) }
            if let from = rule.from { fields.append(("from", text(from.iso8601))) }
            if let until = rule.until { fields.append(("until", text(until.iso8601))) }
            if let retryAfter = rule.retryAfter { fields.append(("retry_after", text(retryAfter.description))) }
            return map(fields, flow: true)
        }))
    }

    // MARK: Steps

    private static func step(_ action: Step.Action, start: SimTime) throws -> Node {
        let (kind, body): (String, Node) = switch action {
        case .connect(let key): ("connect", map(key.map { [("api_key", text($0))] } ?? [], flow: true))
        case .disconnect: ("disconnect", map([], flow: true))
        case .export(let cohort, let audience, let mode):
            ("export", map([("cohort", text(cohort)), ("audience", text(audience)), ("mode", text(mode.rawValue))], flow: true))
        case .stopExport(let cohort, let audience): ("stop_export", map([("cohort", text(cohort)), ("audience", text(audience))], flow: true))
        case .wait(let duration): ("wait", text(duration.description))
        case .setProfile(let id, let set, let unset):
            ("set_profile", map([("distinct_id", text(id))] + (set.isEmpty ? [] : [("set", json(.object(set)))])
                                + (unset.isEmpty ? [] : [("unset", .sequence(.init(unset.map(text), .implicit, .flow)))]), flow: true))
        case .deleteProfile(let id): ("delete_profile", map([("distinct_id", text(id))], flow: true))
        case .renameCohort(let cohort, let to): ("rename_cohort", map([("cohort", text(cohort)), ("to", text(to))], flow: true))
        case .deleteCohort(let cohort): ("delete_cohort", map([("cohort", text(cohort))], flow: true))
        case .expect: throw Unwritable(description: "expect steps are not written (the fuzzer never generates them)")
        case .track(let event, let properties, let time):
            ("track", map([("event", text(event))] + (properties.isEmpty ? [] : [("properties", json(.object(properties)))])
                          + (time.map { [("time", text($0.iso8601))] } ?? []), flow: true))
        case .contact(let audience, let email, let contact, let to):
            ("contact", map([("audience", text(audience)), ("email", text(email)), ("action", text(contact.rawValue))]
                            + (to.map { [("to", text($0))] } ?? []), flow: true))
        case .campaign(let audience, let tag, let subject, let activity):
            ("campaign", map([("audience", text(audience))] + (tag.map { [("tag", text($0))] } ?? []) + [("subject", text(subject))]
                             + (activity.isEmpty ? [] : [("activity", .sequence(.init(activity.map { item in
                                 map([("email", text(item.email)), ("action", text(item.action.rawValue))]
                                     + (item.url.map { [("url", text($0))] } ?? [])
                                     + (item.bounce.map { [("bounce", text($0.rawValue))] } ?? []), flow: true)
                             }, .implicit, .block)))]), flow: false))
        case .revokeAPIKey: ("revoke_api_key", map([], flow: true))
        case .deleteAudience(let audience): ("delete_audience", map([("audience", text(audience))], flow: true))
        case .crash(let point): ("crash", map([("at", text(point.rawValue))], flow: true))
        case .restart: ("restart", map([], flow: true))
        case .importEngagement(let audience): ("import_engagement", map([("audience", text(audience))], flow: true))
        case .newAPIKey(let key): ("new_api_key", map([("api_key", text(key))], flow: true))
        case .resume(let cohort, let audience): ("resume", map([("cohort", text(cohort)), ("audience", text(audience))], flow: true))
        case .preview(let cohort, let audience): ("preview", map([("cohort", text(cohort)), ("audience", text(audience))], flow: true))
        }
        return map([(kind, body)], flow: false)
    }

    // MARK: Nodes

    private static func text(_ value: String) -> Node { .scalar(.init(value, Tag(.str), .doubleQuoted)) }
    private static func number(_ value: Int64) -> Node { .scalar(.init(String(value))) }
    private static func bool(_ value: Bool) -> Node { .scalar(.init(value ? "true" : "false")) }
    private static func double(_ value: Double) -> Node {
        let text = String(value)
        return .scalar(.init(text.contains(".") || text.contains("e") ? text : text + ".0"))
    }

    private static func map(_ fields: [(String, Node)], flow: Bool = false) -> Node {
        .mapping(.init(fields.map { (Node.scalar(.init($0.0)), $0.1) }, .implicit, flow ? .flow : .block))
    }

    /// A JSON value as YAML; object keys sorted, so the file is the same every time.
    private static func json(_ value: JSONValue) -> Node {
        switch value {
        case .null: return .scalar(.init("null"))
        case .bool(let b): return bool(b)
        case .int(let i): return number(i)
        case .double(let d): return double(d)
        case .string(let s): return text(s)
        case .array(let items): return .sequence(.init(items.map(json), .implicit, .flow))
        case .object(let fields): return map(fields.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) }, flow: true)
        }
    }
}

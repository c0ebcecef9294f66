import GRDB
import SimCore
import SimHTTP

/// Who made a change, for a webhook's `sources` filter (reference §11.1).
public enum WebhookSource: String, Sendable, CaseIterable {
    /// A call to the API (including batch subscribe and `/batches`).
    case api
    /// An account user in the web app (scenario steps on behalf of the account).
    case admin
    /// The contact themselves (unsubscribe link, profile form).
    case user
}

/// A webhook payload the fake would have POSTed, recorded instead of sent (no real HTTP).
public struct WebhookDelivery: Sendable, Equatable {
    public var webhookID: String
    public var listID: String
    public var url: String
    public var time: SimTime
    /// `subscribe`, `unsubscribe`, `profile`, `upemail`, `cleaned` or `campaign`.
    public var type: String
    /// `api`, `admin`, `user`, or empty for events that cannot be filtered by source.
    public var source: String
    /// The `application/x-www-form-urlencoded` body with PHP-style bracketed keys.
    public var body: String

    /// The body's fields in order, decoded.
    public var fields: [(name: String, value: String)] { URLCoding.decodeForm(body) }
}

/// One event that may be delivered to the audience's webhooks.
struct WebhookEvent {
    var type: String
    /// `nil`: delivered whatever the webhook's `sources` say (campaign and bounce-cleaned events).
    var source: WebhookSource?
    var listID: String
    var data: [(String, String)]
}

enum Webhooks {
    static let eventTypes = ["subscribe", "unsubscribe", "profile", "cleaned", "upemail", "campaign"]

    /// One registered webhook: where it goes and which events and sources it listens to.
    struct Target {
        var id: String
        var url: String
        /// Event types set to `true` in the registration.
        var events: Set<String>
        /// Sources set to `true` in the registration.
        var sources: Set<String>

        init(row: Row) throws {
            func enabled(_ column: String) throws -> Set<String> {
                let object = try JSONValue(parsing: row[column] as String).objectValue ?? [:]
                return Set(object.filter { $0.value.boolValue == true }.keys)
            }
            id = row["id"]
            url = row["url"]
            events = try enabled("events")
            sources = try enabled("sources")
        }

        func accepts(_ event: WebhookEvent) -> Bool {
            guard events.contains(event.type) else { return false }
            if let source = event.source { return sources.contains(source.rawValue) }
            return true
        }
    }

    /// The audience's webhooks, ordered by id (the order deliveries are recorded in).
    static func targets(_ db: Database, list: String) throws -> [Target] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM webhook WHERE list_id = ? ORDER BY id"), arguments: [list])
            .map(Target.init)
    }

    /// Records the event for every webhook of its audience that subscribes to it.
    static func deliver(_ event: WebhookEvent, db: Database, now: SimTime) throws {
        try deliver(event, to: try targets(db, list: event.listID), db: db, now: now)
    }

    /// Records the event for those of `targets` (the audience's webhooks, read by the caller) that subscribe to it.
    static func deliver(_ event: WebhookEvent, to targets: [Target], db: Database, now: SimTime) throws {
        for hook in targets where hook.accepts(event) {
            let items = [("type", event.type), ("fired_at", now.spacedTimestamp)] + event.data.map { ("data[\($0.0)]", $0.1) }
            try db.cachedStatement(sql: """
                INSERT INTO webhook_delivery (webhook_id, list_id, url, at_ms, type, source, body) VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [hook.id, event.listID, hook.url, now.milliseconds, event.type,
                                 event.source?.rawValue ?? "", URLCoding.encodeForm(items.map { (name: $0.0, value: $0.1) })])
        }
    }

    /// The events a member change causes: subscribe, unsubscribe (`unsub`, or `delete` for an
    /// archive or erase), cleaned, upemail, or profile when only merge fields changed.
    ///
    /// `targets` are the audience's webhooks when the caller has read them already (a bulk write
    /// reads them once per request); `nil` reads them for each event.
    static func memberChanged(from old: MemberRecord?, to new: MemberRecord?, source: WebhookSource?, campaignID: String = "",
                              targets: [Target]? = nil, db: Database, now: SimTime) throws {
        guard let member = new ?? old else { return }
        if let targets, targets.isEmpty { return }
        var events: [WebhookEvent] = []
        func event(_ type: String, _ extra: [(String, String)], base: Bool = true) {
            let data = base ? memberData(member) + extra : extra
            events.append(WebhookEvent(type: type, source: source, listID: member.listID, data: data))
        }
        let was = old?.status
        switch new?.status {
        case nil, "archived" where was != "archived":
            event("unsubscribe", [("action", "delete"), ("reason", "manual"), ("campaign_id", campaignID)])
        case "subscribed" where was != "subscribed":
            event("subscribe", [])
        case "unsubscribed" where was != "unsubscribed":
            let reason = new?.unsubscribeReason?.contains("abuse") == true ? "abuse" : "manual"
            event("unsubscribe", [("action", "unsub"), ("reason", reason), ("campaign_id", campaignID)])
        case "cleaned" where was != "cleaned":
            event("cleaned", [("list_id", member.listID), ("campaign_id", campaignID), ("reason", "hard"), ("email", member.email)], base: false)
        default:
            if let old, let new, old.status == new.status, old.mergeFields != new.mergeFields { event("profile", []) }
        }
        for event in events {
            if let targets { try deliver(event, to: targets, db: db, now: now) } else { try deliver(event, db: db, now: now) }
        }
    }

    static func memberData(_ m: MemberRecord) -> [(String, String)] {
        var data = [("id", m.uniqueEmailID), ("list_id", m.listID), ("email", m.email), ("email_type", "html"),
                    ("web_id", String(m.webID)), ("ip_opt", ""), ("ip_signup", ""), ("merges][EMAIL", m.email)]
        for key in m.mergeFields.keys.sorted() {
            let value = m.mergeFields[key]!
            let text = value.stringValue ?? value.objectValue.map { o in
                ["addr1", "addr2", "city", "state", "zip", "country"].compactMap { o[$0]?.stringValue }.joined(separator: "  ")
            } ?? value.canonicalText
            data.append(("merges][\(key)", text))
        }
        return data
    }

    /// Every recorded delivery, oldest first.
    static func deliveries(_ db: Database) throws -> [WebhookDelivery] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM webhook_delivery ORDER BY seq")).map { row in
            WebhookDelivery(webhookID: row["webhook_id"], listID: row["list_id"], url: row["url"],
                            time: SimTime(milliseconds: row["at_ms"]), type: row["type"], source: row["source"], body: row["body"])
        }
    }
}

extension FakeMailchimp {
    /// The webhook payloads the account would have delivered so far, oldest first.
    public func webhookDeliveries() throws -> [WebhookDelivery] {
        try read { db in try Webhooks.deliveries(db) }
    }
}

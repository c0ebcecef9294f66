import GRDB
import SimCore
import SimHTTP

/// `/reports/{id}` and its email-activity, sent-to, unsubscribed and click-details lists (reference §12).
enum ReportRoutes {
    static func register(in routes: inout RouteTable<FakeMailchimp>) {
        routes.on("GET", "/3.0/reports/{campaign}") { fake, _, p in
            try fake.read { db in .json(try report(try CampaignRoutes.campaign(db, p["campaign"]), db: db)) }
        }
        routes.on("GET", "/3.0/reports/{campaign}/email-activity") { fake, request, p in
            let (count, offset) = try RequestReading.paging(request)
            let since = try sinceParameter(request)
            return try fake.read { db in
                let campaign = try CampaignRoutes.campaign(db, p["campaign"])
                var emails = try recipients(db, campaign).map { try activity($0, campaign: campaign, since: since, db: db) }
                if since != nil { emails = emails.filter { !($0["activity"]?.arrayValue ?? []).isEmpty } }
                return .json(["emails": .array(Array(emails.dropFirst(offset).prefix(count))), "campaign_id": .string(campaign["id"]),
                              "total_items": .int(Int64(emails.count)), "_links": []])
            }
        }
        routes.on("GET", "/3.0/reports/{campaign}/email-activity/{hash}") { fake, _, p in
            try fake.read { db in
                let campaign = try CampaignRoutes.campaign(db, p["campaign"])
                guard let row = try recipients(db, campaign).first(where: { $0["hash"] == p["hash"].lowercased() }) else {
                    throw MailchimpProblem.notFound
                }
                return .json(try activity(row, campaign: campaign, since: nil, db: db))
            }
        }
        routes.on("GET", "/3.0/reports/{campaign}/sent-to") { fake, request, p in
            try page(fake, request, p, key: "sent_to") { row, campaign, db in
                try common(row, campaign, db).merging([
                    "status": .string(row["status"]), "open_count": .int(row["open_count"]), "last_open": .string(row["last_open"]),
                    "absplit_group": "", "gmt_offset": 0,
                ]) { _, new in new }
            } rows: { db, campaign in try recipients(db, campaign) }
        }
        routes.on("GET", "/3.0/reports/{campaign}/unsubscribed") { fake, request, p in
            try page(fake, request, p, key: "unsubscribes") { row, campaign, db in
                try common(row, campaign, db).merging(["timestamp": .string(row["timestamp"]), "reason": .string(row["reason"])]) { _, new in new }
            } rows: { db, campaign in
                try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM campaign_unsubscribe WHERE campaign_id = ? ORDER BY timestamp, hash"), arguments: [campaign["id"] as String])
            }
        }
        routes.on("GET", "/3.0/reports/{campaign}/click-details") { fake, request, p in try clickDetails(fake, request, p) }
    }

    private static func sinceParameter(_ request: HTTPRequest) throws -> SimTime? {
        guard let text = request.queryValue("since") else { return nil }
        guard let time = SimTime(iso8601: text) else { throw MailchimpProblem.schema("since", "The value must be a valid ISO 8601 date-time.") }
        return time
    }

    private static func recipients(_ db: Database, _ campaign: Row) throws -> [Row] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM campaign_recipient WHERE campaign_id = ? ORDER BY lower(email), hash"), arguments: [campaign["id"] as String])
    }

    private static func common(_ row: Row, _ campaign: Row, _ db: Database) throws -> [String: JSONValue] {
        ["email_id": .string(row["hash"]), "email_address": .string(row["email"]),
         "merge_fields": (try? JSONValue(parsing: row["merge_fields"] as String)) ?? [:], "vip": false,
         "campaign_id": .string(campaign["id"]), "list_id": .string(campaign["list_id"]),
         "list_is_active": .bool(try CampaignRoutes.listIsActive(db, campaign)), "_links": []]
    }

    private static func page(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters, key: String,
                             render: (Row, Row, Database) throws -> [String: JSONValue],
                             rows: (Database, Row) throws -> [Row]) throws -> HTTPResponse {
        let (count, offset) = try RequestReading.paging(request)
        return try fake.read { db in
            let campaign = try CampaignRoutes.campaign(db, p["campaign"])
            let all = try rows(db, campaign)
            let items = try all.dropFirst(offset).prefix(count).map { JSONValue.object(try render($0, campaign, db)) }
            return .json([key: .array(items), "campaign_id": .string(campaign["id"]), "total_items": .int(Int64(all.count)), "_links": []])
        }
    }

    private static func activity(_ row: Row, campaign: Row, since: SimTime?, db: Database) throws -> JSONValue {
        let actions = try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT * FROM campaign_activity WHERE campaign_id = ? AND hash = ? AND at_ms >= ? ORDER BY at_ms, seq
            """), arguments: [campaign["id"] as String, row["hash"] as String, since?.milliseconds ?? Int64.min]).map { a -> JSONValue in
            var item: [String: JSONValue] = ["action": .string(a["action"]), "timestamp": .string(SimTime(milliseconds: a["at_ms"]).mailchimpTimestamp),
                                             "ip": ""]
            if let url: String = a["url"] { item["url"] = .string(url) }
            if let type: String = a["type"] { item["type"] = .string(type) }
            return .object(item)
        }
        var fields = try common(row, campaign, db)
        fields.removeValue(forKey: "merge_fields")
        fields.removeValue(forKey: "vip")
        fields["activity"] = .array(actions)
        return .object(fields)
    }

    static func report(_ campaign: Row, db: Database) throws -> JSONValue {
        let s = try CampaignRoutes.Stats(db, campaign: campaign["id"])
        return [
            "id": .string(campaign["id"]), "campaign_title": .string(campaign["subject"]), "type": "regular",
            "list_id": .string(campaign["list_id"]), "list_is_active": .bool(try CampaignRoutes.listIsActive(db, campaign)),
            "list_name": .string(campaign["list_name"]), "subject_line": .string(campaign["subject"]), "preview_text": "",
            "emails_sent": .int(Int64(s.sent)), "abuse_reports": 0, "unsubscribed": .int(Int64(s.unsubscribed)),
            "send_time": .string(campaign["send_time"]),
            "bounces": ["hard_bounces": .int(Int64(s.hard)), "soft_bounces": .int(Int64(s.soft)), "syntax_errors": 0],
            "forwards": ["forwards_count": 0, "forwards_opens": 0],
            "opens": ["opens_total": .int(Int64(s.opens)), "unique_opens": .int(Int64(s.uniqueOpens)), "open_rate": s.rate(s.uniqueOpens),
                      "last_open": .string(s.lastOpen)],
            "clicks": ["clicks_total": .int(Int64(s.clicks)), "unique_clicks": .int(Int64(s.uniqueClicks)),
                       "unique_subscriber_clicks": .int(Int64(s.uniqueClicks)), "click_rate": s.rate(s.uniqueClicks),
                       "last_click": .string(s.lastClick)],
            "_links": [],
        ]
    }

    private static func clickDetails(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let (count, offset) = try RequestReading.paging(request)
        return try fake.read { db in
            let campaign = try CampaignRoutes.campaign(db, p["campaign"])
            let id: String = campaign["id"]
            let total = try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM campaign_activity WHERE campaign_id = ? AND action = 'click'"), arguments: [id]) ?? 0
            let unique = try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(DISTINCT hash) FROM campaign_activity WHERE campaign_id = ? AND action = 'click'"), arguments: [id]) ?? 0
            let rows = try Row.fetchAll(try db.cachedStatement(sql: """
                SELECT url, COUNT(*) AS total, COUNT(DISTINCT hash) AS uniq, MAX(at_ms) AS last FROM campaign_activity
                WHERE campaign_id = ? AND action = 'click' GROUP BY url ORDER BY url
                """), arguments: [id])
            let items = rows.dropFirst(offset).prefix(count).map { row -> JSONValue in
                let clicks: Int = row["total"], uniq: Int = row["uniq"]
                return ["id": .string(StableHash.hex(seed: fake.seed, length: 10, "click_url", id, row["url"])), "url": .string(row["url"]),
                        "total_clicks": .int(Int64(clicks)), "click_percentage": .double(total > 0 ? Double(clicks) / Double(total) : 0),
                        "unique_clicks": .int(Int64(uniq)), "unique_click_percentage": .double(unique > 0 ? Double(uniq) / Double(unique) : 0),
                        "last_click": .string(SimTime(milliseconds: row["last"]).mailchimpTimestamp), "campaign_id": .string(id), "_links": []]
            }
            return .json(["urls_clicked": .array(Array(items)), "campaign_id": .string(id), "total_items": .int(Int64(rows.count)), "_links": []])
        }
    }
}

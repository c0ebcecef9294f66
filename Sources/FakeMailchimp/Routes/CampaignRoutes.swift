import GRDB
import SimCore
import SimHTTP

/// `GET /campaigns` and `GET /campaigns/{id}`: campaigns sent by `sendCampaign` (all `regular`, `sent`).
enum CampaignRoutes {
    static let statuses = ["save", "paused", "schedule", "sending", "sent"]
    /// Campaign types Mailchimp accepts in `type` filters (every campaign the fake sends is `regular`).
    static let types = ["regular", "plaintext", "absplit", "rss", "variate"]

    static func register(in routes: inout RouteTable<FakeMailchimp>) {
        routes.on("GET", "/3.0/campaigns") { fake, request, _ in
            let (count, offset) = try RequestReading.paging(request)
            let status = request.queryValue("status")
            if let status, !statuses.contains(status) {
                throw MailchimpProblem.schema("status", "Data presented is not one of the accepted values: \(statuses.joined(separator: ", ")).")
            }
            return try fake.read { db in
                var rows = try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM campaign ORDER BY sent_ms, id"))
                if let list = request.queryValue("list_id") { rows = rows.filter { $0["list_id"] == list } }
                if let status, status != "sent" { rows = [] }
                return .json(["campaigns": .array(try rows.dropFirst(offset).prefix(count).map { try render($0, db: db) }),
                              "total_items": .int(Int64(rows.count)), "_links": []])
            }
        }
        routes.on("GET", "/3.0/campaigns/{campaign}") { fake, _, p in
            try fake.read { db in .json(try render(try campaign(db, p["campaign"]), db: db)) }
        }
    }

    static func campaign(_ db: Database, _ id: String) throws -> Row {
        guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM campaign WHERE id = ?"), arguments: [id]) else { throw MailchimpProblem.notFound }
        return row
    }

    /// Counts behind both the campaign's `report_summary` and the report.
    struct Stats {
        var sent = 0, hard = 0, soft = 0, opens = 0, uniqueOpens = 0, clicks = 0, uniqueClicks = 0, unsubscribed = 0
        var lastOpen = "", lastClick = ""
        var delivered: Int { sent - hard - soft }
        func rate(_ n: Int) -> JSONValue { .double(delivered > 0 ? Double(n) / Double(delivered) : 0) }

        init(_ db: Database, campaign id: String) throws {
            func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql, arguments: [id]) ?? 0 }
            func last(_ action: String) throws -> String {
                (try Int64.fetchOne(try db.cachedStatement(sql: "SELECT MAX(at_ms) FROM campaign_activity WHERE campaign_id = ? AND action = '\(action)'"), arguments: [id])).map { SimTime(milliseconds: $0).mailchimpTimestamp } ?? ""
            }
            sent = try count("SELECT COUNT(*) FROM campaign_recipient WHERE campaign_id = ?")
            hard = try count("SELECT COUNT(*) FROM campaign_recipient WHERE campaign_id = ? AND status = 'hard'")
            soft = try count("SELECT COUNT(*) FROM campaign_recipient WHERE campaign_id = ? AND status = 'soft'")
            opens = try count("SELECT COUNT(*) FROM campaign_activity WHERE campaign_id = ? AND action = 'open'")
            uniqueOpens = try count("SELECT COUNT(DISTINCT hash) FROM campaign_activity WHERE campaign_id = ? AND action = 'open'")
            clicks = try count("SELECT COUNT(*) FROM campaign_activity WHERE campaign_id = ? AND action = 'click'")
            uniqueClicks = try count("SELECT COUNT(DISTINCT hash) FROM campaign_activity WHERE campaign_id = ? AND action = 'click'")
            unsubscribed = try count("SELECT COUNT(*) FROM campaign_unsubscribe WHERE campaign_id = ?")
            lastOpen = try last("open")
            lastClick = try last("click")
        }
    }

    static func listIsActive(_ db: Database, _ row: Row) throws -> Bool {
        try MailchimpQueries.list(db, row["list_id"]) != nil
    }

    static func render(_ row: Row, db: Database) throws -> JSONValue {
        let stats = try Stats(db, campaign: row["id"])
        let tag: String? = row["tag"]
        let segmentID = try tag.flatMap { try MailchimpQueries.tag(db, list: row["list_id"], name: $0)?.id }
        return [
            "id": .string(row["id"]), "web_id": .int(row["web_id"]), "type": "regular", "create_time": .string(row["send_time"]),
            "archive_url": "", "long_archive_url": "", "status": "sent", "emails_sent": .int(Int64(stats.sent)),
            "send_time": .string(row["send_time"]), "content_type": "template", "needs_block_refresh": false, "resendable": false,
            "recipients": ["list_id": .string(row["list_id"]), "list_is_active": .bool(try listIsActive(db, row)),
                           "list_name": .string(row["list_name"]), "segment_text": "", "recipient_count": .int(Int64(stats.sent)),
                           "segment_opts": segmentID.map { ["saved_segment_id": .int($0), "match": "any", "conditions": []] } ?? [:]],
            "settings": ["subject_line": .string(row["subject"]), "preview_text": "", "title": .string(row["subject"]),
                         "from_name": "CohortSim", "reply_to": "news@example.com", "use_conversation": false, "to_name": "",
                         "folder_id": "", "authenticate": true, "auto_footer": false, "inline_css": false, "auto_tweet": false,
                         "fb_comments": false, "timewarp": false, "template_id": 0, "drag_and_drop": false],
            "tracking": ["opens": true, "html_clicks": true, "text_clicks": false, "goal_tracking": false, "ecomm360": false,
                         "google_analytics": "", "clicktale": ""],
            "report_summary": ["opens": .int(Int64(stats.opens)), "unique_opens": .int(Int64(stats.uniqueOpens)),
                               "open_rate": stats.rate(stats.uniqueOpens), "clicks": .int(Int64(stats.clicks)),
                               "subscriber_clicks": .int(Int64(stats.uniqueClicks)), "click_rate": stats.rate(stats.uniqueClicks),
                               "ecommerce": ["total_orders": 0, "total_spent": 0, "total_revenue": 0]],
            "delivery_status": ["enabled": false], "_links": [],
        ]
    }
}

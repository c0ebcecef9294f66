import GRDB
import SimCore

/// What a recipient did with a sent campaign (a scenario step feeding the reports).
public enum CampaignAction: String, Sendable, CaseIterable {
    case open, click, bounce, unsubscribe
}

/// A bounce: `hard` cleans the contact, `soft` changes nothing but the report.
public enum BounceType: String, Sendable, CaseIterable {
    case hard, soft
}

extension FakeMailchimp {
    /// Sends a regular campaign to the audience's subscribed contacts (only those with `tag`, when
    /// given) and returns its id (10 hex characters from the seed, audience, tag, subject and time).
    /// `list` is an audience id or name; an unknown audience or tag gives 404 `Resource Not Found`.
    public func sendCampaign(list: String, tag: String? = nil, subject: String) throws -> String {
        try write { db in
            let audience = try resolveList(db, list)
            let now = clock.now
            var sql = "SELECT m.* FROM member m WHERE m.list_id = ? AND m.status = 'subscribed'"
            var arguments: [any DatabaseValueConvertible] = [audience.id]
            if let tag {
                guard let segment = try MailchimpQueries.tag(db, list: audience.id, name: tag) else { throw MailchimpProblem.notFound }
                sql += " AND EXISTS (SELECT 1 FROM member_tag t WHERE t.list_id = m.list_id AND t.hash = m.hash AND t.segment_id = ?)"
                arguments.append(segment.id)
            }
            let recipients = try Row.fetchAll(db, sql: sql + " ORDER BY m.hash", arguments: StatementArguments(arguments)).map(MemberRecord.init)
            var n = 0
            var id = StableHash.hex(seed: seed, length: 10, "campaign", audience.id, tag ?? "", subject, String(now.milliseconds))
            while try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM campaign WHERE id = ?"), arguments: [id]) ?? false {
                n += 1
                id = StableHash.hex(seed: seed, length: 10, "campaign", audience.id, tag ?? "", subject, String(now.milliseconds), String(n))
            }
            try db.cachedStatement(sql: """
                INSERT INTO campaign (id, web_id, list_id, list_name, tag, subject, sent_ms, send_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [id, Int64(StableHash.value(seed: seed, "campaign_web_id", id) % 9_000_000) + 1_000_000,
                                 audience.id, audience.name, tag, subject, now.milliseconds, now.mailchimpTimestamp])
            for member in recipients {
                try db.cachedStatement(sql: "INSERT INTO campaign_recipient (campaign_id, hash, email, merge_fields, status) VALUES (?, ?, ?, ?, 'sent')").execute(arguments: [id, member.hash, member.email, JSONValue.object(member.mergeFields).canonicalText])
            }
            try Webhooks.deliver(WebhookEvent(type: "campaign", source: nil, listID: audience.id, data: [
                ("id", id), ("subject", subject), ("status", "sent"), ("reason", ""), ("list_id", audience.id),
            ]), db: db, now: now)
            return id
        }
    }

    /// Records a recipient's `open`, `click` (needs `url`), `bounce` (`hard` cleans the contact,
    /// `soft` does not change it) or `unsubscribe` (the contact unsubscribes themselves; `reason`
    /// is kept in the report and as `unsubscribe_reason`). Timestamps come from the clock.
    /// An unknown campaign or a contact it was not sent to gives 404 `Resource Not Found`.
    public func recordActivity(campaign: String, email: String, action: CampaignAction, url: String? = nil,
                               bounceType: BounceType = .hard, reason: String? = nil) throws {
        try write { db in
            let now = clock.now
            let hash = subscriberHash(email)
            guard let listID = try String.fetchOne(try db.cachedStatement(sql: "SELECT list_id FROM campaign WHERE id = ?"), arguments: [campaign]),
                  try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM campaign_recipient WHERE campaign_id = ? AND hash = ?"), arguments: [campaign, hash]) ?? false else {
                throw MailchimpProblem.notFound
            }
            switch action {
            case .open:
                try db.cachedStatement(sql: "UPDATE campaign_recipient SET open_count = open_count + 1, last_open = ? WHERE campaign_id = ? AND hash = ?").execute(arguments: [now.mailchimpTimestamp, campaign, hash])
            case .click:
                guard let url, !url.isEmpty else { throw MailchimpProblem.schema("url", "A click needs a url.") }
            case .bounce:
                try db.cachedStatement(sql: "UPDATE campaign_recipient SET status = ? WHERE campaign_id = ? AND hash = ?").execute(arguments: [bounceType.rawValue, campaign, hash])
                if bounceType == .hard { try changeFromCampaign(db, listID: listID, hash: hash, campaign: campaign, source: nil) { $0.status = "cleaned" } }
            case .unsubscribe:
                let why = reason ?? "N/A (Unsubscribed via unsubscribe link)"
                try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO campaign_unsubscribe (campaign_id, hash, email, merge_fields, timestamp, reason)
                    SELECT campaign_id, hash, email, merge_fields, ?, ? FROM campaign_recipient WHERE campaign_id = ? AND hash = ?
                    """).execute(arguments: [now.mailchimpTimestamp, why, campaign, hash])
                try changeFromCampaign(db, listID: listID, hash: hash, campaign: campaign, source: .user) {
                    $0.status = "unsubscribed"
                    $0.unsubscribedBy = "contact"
                    $0.unsubscribeReason = why
                }
                return
            }
            try db.cachedStatement(sql: "INSERT INTO campaign_activity (campaign_id, hash, action, at_ms, url, type) VALUES (?, ?, ?, ?, ?, ?)").execute(arguments: [campaign, hash, action.rawValue, now.milliseconds, action == .click ? url : nil,
                                       action == .bounce ? bounceType.rawValue : nil])
        }
    }

    /// Applies a campaign-caused status change to a contact still on the audience.
    private func changeFromCampaign(_ db: Database, listID: String, hash: String, campaign: String, source: WebhookSource?,
                                    _ change: (inout MemberRecord) -> Void) throws {
        guard let list = try MailchimpQueries.list(db, listID), var member = try MailchimpQueries.member(db, list: listID, hash: hash) else { return }
        var writes = try MemberWrites(fake: self, db: db, list: list, now: clock.now)
        writes.source = source
        change(&member)
        if member.status != "unsubscribed" { member.unsubscribedBy = nil; member.unsubscribeReason = nil }
        member.statusBeforeArchive = nil
        member.lastChanged = clock.now.mailchimpTimestamp
        try writes.save(member, campaignID: campaign)
    }
}

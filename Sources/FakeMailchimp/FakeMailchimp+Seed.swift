import GRDB
import SimCore

extension FakeMailchimp {
    /// The id a world audience gets: its own, or 10 hex characters derived from the seed and name.
    public static func audienceID(for audience: MailchimpWorld.Audience, seed: UInt64) -> String {
        audience.id ?? StableHash.hex(seed: seed, length: 10, "list", audience.name)
    }

    func seedWorld(_ world: MailchimpWorld) throws {
        let now = clock.now
        try write { db in
            for audience in world.audiences {
                let id = Self.audienceID(for: audience, seed: seed)
                try db.cachedStatement(sql: "INSERT INTO list (id, web_id, name, date_created, merge_fields) VALUES (?, ?, ?, ?, ?)").execute(arguments: [id, Int64(StableHash.value(seed: seed, "list_web_id", id) % 900_000) + 100_000,
                                           audience.name, now.mailchimpTimestamp, ""])
                for declaration in audience.mergeFields {
                    _ = try MergeFieldRecord.declared(declaration, list: id).insert(db)
                }
                for member in audience.members {
                    try seed(member, list: id, db: db, now: now)
                }
            }
        }
    }

    private func seed(_ member: MailchimpWorld.Member, list: String, db: Database, now: SimTime) throws {
        if member.forgotten {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO forgotten (list_id, hash) VALUES (?, ?)").execute(arguments: [list, subscriberHash(member.email)])
            return
        }
        var record = MemberRecord(listID: list, email: member.email, status: member.status, seed: seed, now: now)
        record.mergeFields = member.mergeFields.mapValues { .string($0) }
        if member.status == "unsubscribed" {
            record.unsubscribedBy = member.unsubscribedBy.rawValue
            record.unsubscribeReason = member.unsubscribeReason
                ?? (member.unsubscribedBy == .admin ? "N/A (Unsubscribed by admin)" : "N/A (Unsubscribed via unsubscribe link)")
        }
        if member.status == "archived" { record.statusBeforeArchive = "subscribed" }
        try record.save(db)
        for tag in member.tags {
            let segment = try MailchimpQueries.tag(db, list: list, name: tag)
                ?? MailchimpQueries.createTag(db, list: list, name: tag, seed: seed, now: now)
            try MailchimpQueries.addTag(db, list: list, segment: segment.id, hash: record.hash, now: now)
        }
    }
}

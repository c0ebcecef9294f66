import Foundation
import GRDB
import SimCore
import SimStorage

/// A contact row of the fake's database.
struct MemberRecord: Sendable, Equatable {
    var listID: String
    var hash: String
    var email: String
    var status: String
    /// `contact` or `admin` when unsubscribed; decides whether an API call may re-subscribe.
    var unsubscribedBy: String?
    /// The status before archiving, restored when the contact is re-added.
    var statusBeforeArchive: String?
    var mergeFields: [String: JSONValue]
    var uniqueEmailID: String
    var webID: Int64
    var timestampSignup: String
    var timestampOpt: String
    var lastChanged: String
    var unsubscribeReason: String?

    init(row: Row) throws {
        listID = row["list_id"]
        hash = row["hash"]
        email = row["email"]
        status = row["status"]
        unsubscribedBy = row["unsubscribed_by"]
        statusBeforeArchive = row["status_before_archive"]
        let fields: String = row["merge_fields"]
        mergeFields = try JSONValue(parsing: fields).objectValue ?? [:]
        uniqueEmailID = row["unique_email_id"]
        webID = row["web_id"]
        timestampSignup = row["timestamp_signup"]
        timestampOpt = row["timestamp_opt"]
        lastChanged = row["last_changed"]
        unsubscribeReason = row["unsubscribe_reason"]
    }

    init(listID: String, email: String, status: String, seed: UInt64, now: SimTime) {
        self.init(listID: listID, email: email, hash: subscriberHash(email), status: status, seed: seed,
                  timestamp: now.mailchimpTimestamp)
    }

    /// A new contact whose subscriber hash is already known; `timestamp` is `now.mailchimpTimestamp`
    /// (bulk writes format it once per request).
    init(listID: String, email: String, hash: String, status: String, seed: UInt64, timestamp: String) {
        let lowercased = email.lowercased()
        self.listID = listID
        self.hash = hash
        self.email = email
        self.status = status
        self.mergeFields = [:]
        self.uniqueEmailID = StableHash.hex(seed: seed, length: 10, "unique_email_id", lowercased)
        self.webID = Int64(StableHash.value(seed: seed, "member_web_id", listID, lowercased) % 900_000_000) + 100_000_000
        self.timestampSignup = ""
        self.timestampOpt = status == "subscribed" ? timestamp : ""
        self.lastChanged = timestamp
    }

    func save(_ db: Database) throws {
        try Self.upsertStatement(db).execute(arguments: [listID, hash, email, status, unsubscribedBy, statusBeforeArchive,
                                                          JSONValue.object(mergeFields).canonicalText, uniqueEmailID, webID,
                                                          timestampSignup, timestampOpt, lastChanged, unsubscribeReason])
    }

    /// Inserts the contact, or updates every mutable column of the one with the same hash.
    static func upsertStatement(_ db: Database) throws -> Statement {
        try db.cachedStatement(sql: """
            INSERT INTO member (list_id, hash, email, status, unsubscribed_by, status_before_archive, merge_fields,
                                unique_email_id, web_id, timestamp_signup, timestamp_opt, last_changed, unsubscribe_reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (list_id, hash) DO UPDATE SET
                email = excluded.email, status = excluded.status, unsubscribed_by = excluded.unsubscribed_by,
                status_before_archive = excluded.status_before_archive, merge_fields = excluded.merge_fields,
                timestamp_opt = excluded.timestamp_opt, last_changed = excluded.last_changed,
                unsubscribe_reason = excluded.unsubscribe_reason
            """)
    }
}

/// A tag, which is also a static segment.
struct SegmentRecord: Sendable, Equatable {
    var listID: String
    var id: Int64
    var name: String
    var type: String
    var createdAt: String
    var updatedAt: String

    init(row: Row) {
        listID = row["list_id"]
        id = row["id"]
        name = row["name"]
        type = row["type"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
    }
}

/// An audience row.
struct ListRecord: Sendable, Equatable {
    var id: String
    var webID: Int64
    var name: String
    var dateCreated: String
    var mergeFields: [String]
    /// Settings given on create or PATCH (`contact`, `campaign_defaults`, …), shown over the defaults.
    var settings: [String: JSONValue]

    init(row: Row) throws {
        let text: String = row["settings"] ?? "{}"
        settings = try JSONValue(parsing: text).objectValue ?? [:]
        id = row["id"]
        webID = row["web_id"]
        name = row["name"]
        dateCreated = row["date_created"]
        let fields: String = row["merge_fields"]
        mergeFields = fields.split(separator: ",").map(String.init)
    }
}

/// The schema of the fake Mailchimp's SQLite database.
enum MailchimpSchema {
    static let migrations: [(name: String, apply: @Sendable (Database) throws -> Void)] = [
        ("v1", { db in
            try db.execute(sql: """
                CREATE TABLE list (
                    id TEXT PRIMARY KEY, web_id INTEGER NOT NULL, name TEXT NOT NULL,
                    date_created TEXT NOT NULL, merge_fields TEXT NOT NULL);
                CREATE TABLE member (
                    list_id TEXT NOT NULL REFERENCES list(id) ON DELETE CASCADE, hash TEXT NOT NULL,
                    email TEXT NOT NULL, status TEXT NOT NULL, unsubscribed_by TEXT, status_before_archive TEXT,
                    merge_fields TEXT NOT NULL, unique_email_id TEXT NOT NULL, web_id INTEGER NOT NULL,
                    timestamp_signup TEXT NOT NULL, timestamp_opt TEXT NOT NULL, last_changed TEXT NOT NULL,
                    unsubscribe_reason TEXT,
                    PRIMARY KEY (list_id, hash));
                CREATE TABLE segment (
                    list_id TEXT NOT NULL REFERENCES list(id) ON DELETE CASCADE, id INTEGER NOT NULL,
                    name TEXT NOT NULL, type TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
                    PRIMARY KEY (list_id, id));
                CREATE TABLE member_tag (
                    list_id TEXT NOT NULL, segment_id INTEGER NOT NULL, hash TEXT NOT NULL, date_added TEXT NOT NULL,
                    PRIMARY KEY (list_id, segment_id, hash),
                    FOREIGN KEY (list_id, segment_id) REFERENCES segment(list_id, id) ON DELETE CASCADE,
                    FOREIGN KEY (list_id, hash) REFERENCES member(list_id, hash) ON DELETE CASCADE);
                CREATE TABLE forgotten (list_id TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (list_id, hash));
                """)
        }),
        ("v2", { db in try MailchimpSchemaV2.apply(db) }),
        ("v3", { db in try MailchimpSchemaV3.apply(db) }),
        ("v4", { db in try MailchimpSchemaV4.apply(db) }),
    ]
}

/// Queries shared by the routes; every function runs inside the caller's transaction.
enum MailchimpQueries {
    static func list(_ db: Database, _ id: String) throws -> ListRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM list WHERE id = ?"), arguments: [id]).map(ListRecord.init)
    }

    static func lists(_ db: Database) throws -> [ListRecord] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM list ORDER BY date_created, id")).map(ListRecord.init)
    }

    static func member(_ db: Database, list: String, hash: String) throws -> MemberRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM member WHERE list_id = ? AND hash = ?"), arguments: [list, hash])
            .map(MemberRecord.init)
    }

    static func isForgotten(_ db: Database, list: String, hash: String) throws -> Bool {
        try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM forgotten WHERE list_id = ? AND hash = ?"), arguments: [list, hash]) ?? false
    }

    static func segment(_ db: Database, list: String, id: Int64) throws -> SegmentRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM segment WHERE list_id = ? AND id = ?"), arguments: [list, id])
            .map(SegmentRecord.init)
    }

    /// Tag lookup by name, case-insensitively (Mailchimp matches tag names that way; U10).
    static func tag(_ db: Database, list: String, name: String) throws -> SegmentRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM segment WHERE list_id = ? AND type = 'static' AND lower(name) = lower(?) ORDER BY id"), arguments: [list, name]).map(SegmentRecord.init)
    }

    /// Creates a static segment (tag) with an id derived from the seed and its name.
    static func createTag(_ db: Database, list: String, name: String, seed: UInt64, now: SimTime) throws -> SegmentRecord {
        var id = Int64(StableHash.value(seed: seed, "segment", list, name.lowercased()) % 89_000) + 10_000
        while try segment(db, list: list, id: id) != nil { id += 1 }
        try db.cachedStatement(sql: "INSERT INTO segment (list_id, id, name, type, created_at, updated_at) VALUES (?, ?, ?, 'static', ?, ?)").execute(arguments: [list, id, name, now.mailchimpTimestamp, now.mailchimpTimestamp])
        return try segment(db, list: list, id: id)!
    }

    static func tags(_ db: Database, list: String, hash: String) throws -> [(segment: SegmentRecord, dateAdded: String)] {
        try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT s.*, t.date_added FROM member_tag t JOIN segment s ON s.list_id = t.list_id AND s.id = t.segment_id
            WHERE t.list_id = ? AND t.hash = ? ORDER BY s.id
            """), arguments: [list, hash]).map { (SegmentRecord(row: $0), $0["date_added"] as String) }
    }

    static func addTag(_ db: Database, list: String, segment: Int64, hash: String, now: SimTime) throws {
        try addTag(db, list: list, segment: segment, hash: hash, dateAdded: now.spacedTimestamp)
    }

    /// Tags a contact; `dateAdded` is `now.spacedTimestamp`. Tagging a tagged contact changes nothing.
    static func addTag(_ db: Database, list: String, segment: Int64, hash: String, dateAdded: String) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO member_tag (list_id, segment_id, hash, date_added) VALUES (?, ?, ?, ?)").execute(arguments: [list, segment, hash, dateAdded])
    }

    static func removeTag(_ db: Database, list: String, segment: Int64, hash: String) throws -> Bool {
        try db.cachedStatement(sql: "DELETE FROM member_tag WHERE list_id = ? AND segment_id = ? AND hash = ?").execute(arguments: [list, segment, hash])
        return db.changesCount > 0
    }
}

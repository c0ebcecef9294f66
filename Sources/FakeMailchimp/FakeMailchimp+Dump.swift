import GRDB
import SimCore

/// The state of one audience, in canonical order, for goldens and inline expectations.
public struct AudienceDump: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var email: String
        public var status: String
        /// Tag names, sorted case-insensitively.
        public var tags: [String]
        /// Merge field values by tag (e.g. `FNAME`), as stored.
        public var mergeFields: [String: JSONValue] = [:]
    }

    public var id: String
    public var name: String
    /// Members sorted by lower-cased address.
    public var members: [Member]
    /// Every tag defined on the audience, with its member count, sorted by name.
    public var tags: [(name: String, members: Int)]

    public static func == (lhs: AudienceDump, rhs: AudienceDump) -> Bool {
        lhs.id == rhs.id && lhs.name == rhs.name && lhs.members == rhs.members
            && lhs.tags.map { "\($0.name)=\($0.members)" } == rhs.tags.map { "\($0.name)=\($0.members)" }
    }
}

extension FakeMailchimp {
    /// Every audience of the account, sorted by name then id.
    ///
    /// The fuzzer reads this after every step, so the answer is kept until the connection next
    /// changes a row (SQLite's total change count): a cached dump is never older than the data.
    public func dump() throws -> [AudienceDump] {
        try read { db in
            let changes = db.totalChangesCount
            if let cached = dumpCache.withLock({ $0 }), cached.changes == changes { return cached.audiences }
            let audiences = try Self.readDump(db)
            dumpCache.withLock { $0 = (changes, audiences) }
            return audiences
        }
    }

    private static func readDump(_ db: Database) throws -> [AudienceDump] {
        try MailchimpQueries.lists(db).sorted { ($0.name, $0.id) < ($1.name, $1.id) }.map { list in
            var tagsByHash: [String: [String]] = [:]
            for row in try Row.fetchAll(try db.cachedStatement(sql: """
                SELECT t.hash AS hash, s.name AS name FROM member_tag t
                JOIN segment s ON s.list_id = t.list_id AND s.id = t.segment_id
                WHERE t.list_id = ? ORDER BY s.id
                """), arguments: [list.id]) {
                tagsByHash[row["hash"], default: []].append(row["name"])
            }
            let members = try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM member WHERE list_id = ?"), arguments: [list.id])
                .map(MemberRecord.init)
                .map { member in
                    AudienceDump.Member(
                        email: member.email, status: member.status,
                        tags: (tagsByHash[member.hash] ?? []).sorted { $0.lowercased() < $1.lowercased() },
                        mergeFields: member.mergeFields)
                }
                .sorted { ($0.email.lowercased(), $0.email) < ($1.email.lowercased(), $1.email) }
            let tags = try Row.fetchAll(try db.cachedStatement(sql: """
                SELECT s.name AS name, COUNT(t.hash) AS n FROM segment s
                LEFT JOIN member_tag t ON t.list_id = s.list_id AND t.segment_id = s.id
                WHERE s.list_id = ? GROUP BY s.id ORDER BY lower(s.name), s.id
                """), arguments: [list.id]).map { (name: $0["name"] as String, members: $0["n"] as Int) }
            return AudienceDump(id: list.id, name: list.name, members: members, tags: tags)
        }
    }

    /// The id of the audience called `name`, if there is one.
    public func audienceID(named name: String) throws -> String? {
        try read { db in try MailchimpQueries.lists(db).first { $0.name == name }?.id }
    }
}

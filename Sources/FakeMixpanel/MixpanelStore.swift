import Foundation
import GRDB
import SimCore

/// The schema of the fake Mixpanel's SQLite database.
enum MixpanelSchema {
    static let migrations: [(name: String, apply: @Sendable (Database) throws -> Void)] = [
        ("v1", { db in
            try db.execute(sql: """
                CREATE TABLE profile (
                    distinct_id TEXT PRIMARY KEY, properties TEXT NOT NULL, last_seen INTEGER NOT NULL);
                CREATE TABLE event (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, distinct_id TEXT NOT NULL,
                    time INTEGER NOT NULL, ingested INTEGER NOT NULL, insert_id TEXT, properties TEXT NOT NULL);
                CREATE INDEX event_by_user ON event (distinct_id, name, time);
                CREATE TABLE cohort (
                    id INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL,
                    definition TEXT NOT NULL, created INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);
                """)
        }),
        ("v2-identity-dedup", { db in
            // `deduplicate = 0`: the insert id was generated, so the event is never a duplicate (§5.3).
            // `live_event`: events as queries see them, keeping the latest-ingested copy of each
            // (event, distinct_id, time, $insert_id) (§5.5); `event` itself is the raw export.
            try db.execute(sql: """
                ALTER TABLE event ADD COLUMN deduplicate INTEGER NOT NULL DEFAULT 1;
                CREATE INDEX event_dedup ON event (name, distinct_id, time, insert_id);
                CREATE INDEX event_by_time ON event (time);
                CREATE VIEW live_event AS SELECT * FROM event e
                    WHERE e.deduplicate = 0 OR e.insert_id IS NULL OR NOT EXISTS (
                        SELECT 1 FROM event d WHERE d.deduplicate = 1 AND d.name = e.name AND d.distinct_id = e.distinct_id
                            AND d.time = e.time AND d.insert_id = e.insert_id AND d.seq > e.seq);
                CREATE TABLE identity (
                    distinct_id TEXT PRIMARY KEY, cluster INTEGER NOT NULL, canonical TEXT NOT NULL);
                """)
        }),
    ]
}

/// A profile as stored.
struct ProfileRecord: Sendable, Equatable {
    var distinctID: String
    var properties: [String: JSONValue]
    var lastSeen: SimTime

    init(row: Row) {
        distinctID = row["distinct_id"]
        let text: String = row["properties"]
        properties = Self.properties(in: Data(text.utf8))
        lastSeen = SimTime(milliseconds: row["last_seen"])
    }

    /// Decodes a stored `properties` column: the canonical JSON object the fake wrote (`[:]` if
    /// it is not one).
    static func properties(in data: Data) -> [String: JSONValue] {
        (try? JSONValue(parsing: data))?.objectValue ?? [:]
    }

    /// The stored properties whose names are in `names`.
    static func properties(named names: Set<String>, in data: Data) -> [String: JSONValue] {
        properties(in: data).filter { names.contains($0.key) }
    }

    init(distinctID: String, properties: [String: JSONValue], lastSeen: SimTime) {
        self.distinctID = distinctID
        self.properties = properties
        self.lastSeen = lastSeen
    }

    func save(_ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO profile (distinct_id, properties, last_seen) VALUES (?, ?, ?)
            ON CONFLICT (distinct_id) DO UPDATE SET properties = excluded.properties, last_seen = excluded.last_seen
            """).execute(arguments: [distinctID, JSONValue.object(properties).canonicalText, lastSeen.milliseconds])
    }
}

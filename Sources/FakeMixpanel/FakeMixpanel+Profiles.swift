import Foundation
import GRDB
import SimCore

extension FakeMixpanel {
    /// Adds profiles to the project in one transaction, exactly as the profiles of the world given
    /// at initialisation are stored.
    ///
    /// Meant for seeding a large world in chunks (the benchmark's million profiles) without
    /// building one huge ``MixpanelWorld``: seeding `world.profiles` at init and calling this with
    /// the same profiles, in the same order and at the same virtual time, leave the same state.
    ///
    /// - Each profile is stored under its own `distinctID` with its properties as given, replacing
    ///   any profile already stored under that id (a later profile in the list wins, as in a world).
    ///   Properties are not merged: this is seeding, not a `$set`.
    /// - `$last_seen` is the clock's current time (at init: the scenario's start).
    /// - Identity is untouched: profiles carry no identity operation. Whether a profile shows
    ///   (A7, A8) is decided at query time from the identity graph, as for world profiles.
    /// - Nothing is ingested as an event, and MTU is unaffected.
    ///
    /// - Throws: a database error, in which case none of the profiles is added.
    public func addProfiles(_ profiles: [MixpanelWorld.Profile]) throws {
        let now = clock.now
        try database.write { db in try storeProfiles(profiles, lastSeen: now, db) }
    }

    /// Stores world profiles with `lastSeen`, replacing existing ones (see ``addProfiles(_:)``).
    /// A profile whose properties give `$last_seen` (an ISO 8601 time) is stored as last seen
    /// then instead, the property itself kept out of the stored properties, as Mixpanel keeps it.
    func storeProfiles(_ profiles: [MixpanelWorld.Profile], lastSeen: SimTime, _ db: Database) throws {
        for profile in profiles {
            var properties = profile.properties
            var seen = lastSeen
            if let given = properties["$last_seen"]?.stringValue.flatMap({ SimTime(iso8601: $0) }) {
                seen = given
                properties.removeValue(forKey: "$last_seen")
            }
            try storeProfile(ProfileRecord(distinctID: profile.distinctID, properties: properties, lastSeen: seen), db)
        }
    }

    /// Inserts or replaces a profile row. Every profile write goes through here or
    /// ``removeProfile(_:_:)``, so that live `/engage` sessions keep their snapshot and cached
    /// memberships can be brought up to date (see ``observeProfileWrite(_:_:_:)``).
    func storeProfile(_ record: ProfileRecord, _ db: Database) throws {
        try observeProfileWrite(record.distinctID, db) { try record.save(db) }
    }

    /// Deletes the profile stored under `id`, if any.
    func removeProfile(_ id: String, _ db: Database) throws {
        try observeProfileWrite(id, db) {
            try db.cachedStatement(sql: "DELETE FROM profile WHERE distinct_id = ?").execute(arguments: [id])
        }
    }

    /// The stored profiles of `ids` (one `/engage` page), aligned with `ids`, read as one range
    /// scan of the `profile` table between the smallest and the largest id, when the ids are dense
    /// enough in it: the scan stops after twice as many rows as ids, and whatever it did not reach
    /// is `nil` (callers read those one by one). A page of a large cohort costs one B-tree walk
    /// instead of a thousand lookups; when `ids` are in byte order (a session's order, for ASCII
    /// ids) the scan and the list are walked together, otherwise each row is looked up by id.
    func storedProfiles(_ ids: [String], _ db: Database) throws -> [StoredProfile?] {
        var found = [StoredProfile?](repeating: nil, count: ids.count)
        guard ids.count > 1 else { return found }
        let inByteOrder = zip(ids, ids.dropFirst()).allSatisfy { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let low = inByteOrder ? ids[0] : ids.min { $0.utf8.lexicographicallyPrecedes($1.utf8) }!
        let high = inByteOrder ? ids[ids.count - 1] : ids.max { $0.utf8.lexicographicallyPrecedes($1.utf8) }!
        let slots = inByteOrder ? [:] : Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var next = 0
        let rows = try Row.fetchCursor(try db.cachedStatement(sql: """
            SELECT distinct_id, properties, last_seen FROM profile WHERE distinct_id >= ? AND distinct_id <= ?
            ORDER BY distinct_id LIMIT ?
            """), arguments: [low, high, ids.count * 2])
        while let row = try rows.next() {
            let id: String = row[0]
            let slot: Int?
            if inByteOrder {
                while next < ids.count, ids[next].utf8.lexicographicallyPrecedes(id.utf8) { next += 1 }
                slot = next < ids.count && ids[next] == id ? next : nil
            } else {
                slot = slots[id]
            }
            guard let slot else { continue }
            // A cursor's row is a view into SQLite's buffers: copy the bytes out.
            found[slot] = StoredProfile(properties: try row.withUnsafeData(atIndex: 1) { $0.map { Data([UInt8]($0)) } ?? Data() },
                                        lastSeen: row[2])
        }
        return found
    }

    /// The stored row of `id`, undecoded.
    func storedProfile(_ id: String, _ db: Database) throws -> StoredProfile? {
        let statement = try db.cachedStatement(sql: "SELECT properties, last_seen FROM profile WHERE distinct_id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [id]) else { return nil }
        return StoredProfile(properties: try row.withUnsafeData(atIndex: 0) { $0 ?? Data() }, lastSeen: row[1])
    }

    /// Performs `write`, a write of `id`'s profile row. While `/engage` sessions exist, hands them
    /// the row it replaces (see ``EngageSessionStore``); while memberships are cached, logs the
    /// versions it spans (see ``ProfileWriteLog``). Otherwise it costs nothing extra.
    private func observeProfileWrite(_ id: String, _ db: Database, _ write: () throws -> Void) throws {
        let sessions = !engageSessions.withLock { $0.isEmpty }
        let memberships = !membershipCache.withLock { $0.isEmpty }
        guard sessions || memberships else { return try write() }
        let before = try dataVersion(db)
        if sessions {
            let row = try storedProfile(id, db)
            engageSessions.withLock { $0.recordWrite(of: id, before: row, version: before) }
        }
        try write()
        if memberships {
            let after = try dataVersion(db)
            profileWriteLog.withLock { $0.record(id, from: before, to: after) }
        }
    }
}

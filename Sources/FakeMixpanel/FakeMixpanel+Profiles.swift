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
    func storeProfiles(_ profiles: [MixpanelWorld.Profile], lastSeen: SimTime, _ db: Database) throws {
        for profile in profiles {
            try storeProfile(ProfileRecord(distinctID: profile.distinctID, properties: profile.properties, lastSeen: lastSeen), db)
        }
    }

    /// Inserts or replaces a profile row. Every profile write goes through here or
    /// ``removeProfile(_:_:)``, so that live `/engage` sessions keep their snapshot.
    func storeProfile(_ record: ProfileRecord, _ db: Database) throws {
        try preserveForSessions(record.distinctID, db)
        try record.save(db)
    }

    /// Deletes the profile stored under `id`, if any.
    func removeProfile(_ id: String, _ db: Database) throws {
        try preserveForSessions(id, db)
        try db.cachedStatement(sql: "DELETE FROM profile WHERE distinct_id = ?").execute(arguments: [id])
    }

    /// The stored row of `id`, undecoded.
    func storedProfile(_ id: String, _ db: Database) throws -> StoredProfile? {
        let statement = try db.cachedStatement(sql: "SELECT properties, last_seen FROM profile WHERE distinct_id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [id]) else { return nil }
        return StoredProfile(properties: try row.withUnsafeData(atIndex: 0) { $0 ?? Data() }, lastSeen: row[1])
    }

    /// Hands the row about to be written to the `/engage` sessions (see ``EngageSessionStore``).
    private func preserveForSessions(_ id: String, _ db: Database) throws {
        guard !engageSessions.withLock({ $0.isEmpty }) else { return }
        let before = try storedProfile(id, db)
        let version = try dataVersion(db)
        engageSessions.withLock { $0.recordWrite(of: id, before: before, version: version) }
    }
}

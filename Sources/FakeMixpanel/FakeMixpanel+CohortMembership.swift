import Foundation
import GRDB
import SimCore

extension FakeMixpanel {
    /// The cohort's members now, or `nil` when there is no such (live, readable) cohort.
    ///
    /// Evaluated at most once per (cohort, data version, instant): see ``MembershipCache``.
    /// A definition decided by profile properties alone, which a user without a profile does not
    /// match, is evaluated by streaming the profile table (``streamedMembership(_:_:)``), or, when
    /// only profiles were written since it was last computed, updated from that membership
    /// (``updatedMembership(_:written:_:_:)``). Any other definition (`did`, `ids`, or negative
    /// rules that users without profiles match) goes through ``evaluatedMembership(_:_:)`` over
    /// every known user.
    func membership(ofCohort id: Int64, _ db: Database) throws -> CohortMembership? {
        let key = MembershipCache.Key(cohort: id, version: try dataVersion(db), now: clock.now)
        if let cached = membershipCache.withLock({ $0.lookup(key) }) { return cached }
        guard let definition = try cohortDefinition(id, db) else { return nil }
        let membership: CohortMembership
        if !Self.isDecidedByProfiles(definition, now: key.now) {
            membership = try evaluatedMembership(definition, db)
        } else if let base = membershipCache.withLock({ $0.latest(cohort: id, definition: definition) }),
                  let written = profileWriteLog.withLock({ $0.ids(from: base.version, to: key.version) }) {
            membership = try updatedMembership(base.membership, written: written, definition, db)
        } else {
            membership = try streamedMembership(definition, db)
        }
        membershipCache.withLock { $0.store(membership, of: definition, for: key) }
        return membership
    }

    /// Whether membership can be decided from each visible profile alone: the definition reads
    /// only profile properties, and a user with neither a profile nor events is not a member (so
    /// users known only by their events are never members either).
    static func isDecidedByProfiles(_ definition: CohortDefinition, now: SimTime) -> Bool {
        guard definition.profilePropertyNames != nil else { return false }
        let evaluator = CohortEvaluator(now: now, canonical: { $0 })
        return !evaluator.contains(definition, user: "", .init(profile: nil, events: [:]))
    }

    /// The definition of a live cohort, `nil` when missing, deleted or unreadable (as ``cohorts()``).
    private func cohortDefinition(_ id: Int64, _ db: Database) throws -> CohortDefinition? {
        let sql = "SELECT definition FROM cohort WHERE id = ? AND deleted = 0"
        guard let text = try String.fetchOne(try db.cachedStatement(sql: sql), arguments: [id]) else { return nil }
        return (try? JSONValue(parsing: text)).flatMap(CohortDefinition.init(json:))
    }

    /// Members by a cursor over the profile table: only the properties the definition reads are
    /// kept, and only member ids. Every member has profile properties (an empty
    /// profile evaluates as no profile, which does not match), so none is bare.
    func streamedMembership(_ definition: CohortDefinition, _ db: Database) throws -> CohortMembership {
        let names = Set(definition.profilePropertyNames ?? [])
        let evaluator = CohortEvaluator(now: clock.now, canonical: canonical)
        let graph = identity.withLock { $0.graph }
        let rows = try Row.fetchCursor(try db.cachedStatement(sql: "SELECT distinct_id, properties FROM profile ORDER BY distinct_id"))
        var ids: [String] = []
        while let row = try rows.next() {
            let id: String = row[0]
            guard profileOwner(id, in: graph) != nil else { continue }
            let properties = try row.withUnsafeData(atIndex: 1) { data in
                data.map { ProfileRecord.properties(named: names, in: $0) } ?? [:]
            }
            if evaluator.contains(definition, user: id, .init(profile: properties, events: [:])) { ids.append(id) }
        }
        // SQLite orders by bytes; keep Swift's order, which the general path and callers use.
        if !zip(ids, ids.dropFirst()).allSatisfy({ $0 < $1 }) { ids.sort() }
        return CohortMembership(ids: ids, bare: [])
    }

    /// A profile-decided membership brought up to date after profile writes only: the written
    /// users are evaluated again, everyone else keeps their membership (their profile, the
    /// identity graph and the definition are unchanged, and such definitions do not read time).
    func updatedMembership(_ base: CohortMembership, written: Set<String>, _ definition: CohortDefinition,
                           _ db: Database) throws -> CohortMembership {
        guard !written.isEmpty else { return base }
        let names = Set(definition.profilePropertyNames ?? [])
        let evaluator = CohortEvaluator(now: clock.now, canonical: canonical)
        let graph = identity.withLock { $0.graph }
        var joined: [String] = []
        for id in written.sorted() where profileOwner(id, in: graph) != nil {
            guard let stored = try storedProfile(id, db) else { continue }
            let properties = ProfileRecord.properties(named: names, in: stored.properties)
            if evaluator.contains(definition, user: id, .init(profile: properties, events: [:])) { joined.append(id) }
        }
        var ids: [String] = []
        ids.reserveCapacity(base.ids.count + joined.count)
        var next = joined.makeIterator(), pending = next.next()
        for id in base.ids where !written.contains(id) {
            while let candidate = pending, candidate < id { ids.append(candidate); pending = next.next() }
            ids.append(id)
        }
        while let candidate = pending { ids.append(candidate); pending = next.next() }
        return CohortMembership(ids: ids, bare: [])
    }

    /// Members by evaluating the definition on every known user (profiles and events).
    func evaluatedMembership(_ definition: CohortDefinition, _ db: Database) throws -> CohortMembership {
        let users = try knownUsers(db)
        let evaluator = CohortEvaluator(now: clock.now, canonical: canonical)
        let ids = users.keys.sorted().filter { evaluator.contains(definition, user: $0, users[$0]!) }
        let bare = ids.indices.filter { users[ids[$0]]!.profile?.isEmpty ?? true }
        return CohortMembership(ids: ids, bare: bare)
    }
}

import Foundation
import GRDB
import SimStorage
import SimCore

/// Result sets of `/engage`: evaluated once per session as ids, rendered one page at a time.
extension EngageQueryRoutes {
    /// Computes a query's result set and stores it as session `id`, in one read, so that every
    /// later profile write is seen by the session store (and kept for its snapshot).
    static func evaluate(_ fake: FakeMixpanel, _ params: [String: String], storingAs id: String) throws -> EngageSession {
        let outputProperties = try params["output_properties"].map { raw -> [String] in
            guard let list = (try? JSONValue(parsing: raw))?.arrayValue?.compactMap(\.stringValue) else {
                throw QueryError(status: 400, message: "output_properties must be a JSON array of strings")
            }
            return list
        }
        let includeAllUsers = params["include_all_users"].map { $0 != "false" && $0 != "0" } ?? true
        let selector = try (params["where"] ?? params["selector"]).map { try SelectorExpression(parsing: $0) }
        let filter = ResultFilter(includeAllUsers: includeAllUsers, selector: selector)
        return try fake.database.reading { db in
            let version = try fake.dataVersion(db)
            let results: ResultSet
            if let raw = params["filter_by_cohort"] {
                results = try cohortResults(fake, raw, filter, db)
            } else if let raw = params["distinct_ids"] {
                guard let list = (try? JSONValue(parsing: raw))?.arrayValue?.compactMap(\.stringValue) else {
                    throw QueryError(status: 400, message: "distinct_ids must be a JSON array of strings")
                }
                results = try listedResults(fake, Array(Set(list.map(fake.queryID))).sorted(), filter, db)
            } else if let one = params["distinct_id"] {
                results = try listedResults(fake, [fake.queryID(one)], filter, db)
            } else {
                results = try allProfileResults(fake, filter, db)
            }
            let session = EngageSession(version: version, ids: results.ids, bare: results.bare, outputProperties: outputProperties)
            fake.engageSessions.withLock { $0.store(session, named: id) }
            return session
        }
    }

    /// The users at `positions` of a session, rendered as the session's snapshot shows them: the
    /// JSON array of `{"$distinct_id", "$properties"}` objects, in canonical form.
    ///
    /// Stored properties are canonical JSON (``ProfileRecord/save(_:)``), so the wanted members
    /// are copied byte for byte instead of being decoded and encoded again: the output is the
    /// canonical encoding of the same values (a test holds the two equal), at a fraction of the cost.
    static func render(_ fake: FakeMixpanel, _ session: EngageSession, _ positions: Range<Int>) throws -> [UInt8] {
        guard !positions.isEmpty else { return Array("[]".utf8) }
        let names = session.outputProperties
        let showsLastSeen = session.outputProperties?.contains("$last_seen") ?? true
        return try fake.database.reading { db in
            let preserved = fake.engageSessions.withLock { store -> [StoredProfile??] in
                guard store.keepsReplacedRows else { return Array(repeating: nil, count: positions.count) }
                return positions.map { store.preserved(session.ids[$0], asOf: session.version) }
            }
            let wanted = positions.filter { !session.isBare($0) }.map { session.ids[$0] }
            let page = try fake.storedProfiles(wanted, db)
            var out: [UInt8] = []
            out.reserveCapacity(positions.count * 160)
            out.append(UInt8(ascii: "["))
            var slot = 0
            for (offset, position) in positions.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                let id = session.ids[position]
                var stored: StoredProfile?
                if !session.isBare(position) {
                    stored = try preserved[offset] ?? page[slot] ?? fake.storedProfile(id, db)
                    slot += 1
                }
                out.append(contentsOf: #"{"$distinct_id":"#.utf8)
                out.append(contentsOf: JSONValue.string(id).canonicalBytes)
                out.append(contentsOf: #","$properties":"#.utf8)
                if let stored {
                    let lastSeen = showsLastSeen ? SimTime(milliseconds: stored.lastSeen).naiveTimestamp : nil
                    try writeProperties(stored.properties, named: names, lastSeen: lastSeen, to: &out)
                } else {
                    out.append(contentsOf: "{}".utf8)
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
            return out
        }
    }

    /// Writes the members of `properties` (canonical JSON) named in `names` (all when `nil`),
    /// with `$last_seen` set to `lastSeen` when given, in canonical key order.
    static func writeProperties(_ properties: Data, named names: [String]?, lastSeen: String?, to out: inout [UInt8]) throws {
        let lastSeenKey = "$last_seen"
        var pendingLastSeen = lastSeen
        var first = true
        func separate(_ out: inout [UInt8]) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
        }
        func writeLastSeen(_ out: inout [UInt8]) {
            guard let value = pendingLastSeen else { return }
            separate(&out)
            out.append(contentsOf: #""$last_seen":"#.utf8)
            out.append(contentsOf: JSONValue.string(value).canonicalBytes)
            pendingLastSeen = nil
        }
        out.append(UInt8(ascii: "{"))
        try properties.withUnsafeBytes { bytes in
            try JSONObjectMembers.forEach(in: bytes) { key, member, _ in
                if pendingLastSeen != nil, key >= lastSeenKey { writeLastSeen(&out) }
                guard key != lastSeenKey || lastSeen == nil, names?.contains(key) ?? true else { return }
                separate(&out)
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[member]))
            }
        }
        writeLastSeen(&out)
        out.append(UInt8(ascii: "}"))
    }

    /// Which users a query keeps, and how: `include_all_users` and `where`.
    struct ResultFilter {
        enum Verdict { case excluded, bare, profile }

        var includeAllUsers: Bool
        var selector: SelectorExpression?

        /// The verdict for a user whose stored properties are `properties` (nil: no profile).
        /// A user without profile properties matches no `where`; with `include_all_users` and no
        /// `where` it is shown bare.
        func verdict(_ properties: Data?, lastSeen: Int64?) -> Verdict {
            guard let properties, !Self.isEmptyObject(properties) else { return includeAllUsers && selector == nil ? .bare : .excluded }
            guard let selector else { return .profile }
            var decoded = ProfileRecord.properties(in: properties)
            if decoded.isEmpty { return .excluded }
            // `where` sees `$last_seen` as `/engage` shows it (a naive UTC timestamp).
            if let lastSeen { decoded["$last_seen"] = .string(SimTime(milliseconds: lastSeen).naiveTimestamp) }
            return selector.matches(decoded) ? .profile : .excluded
        }

        /// `{}`: the canonical text of empty properties.
        private static func isEmptyObject(_ data: Data) -> Bool {
            data.count == 2 && data.first == UInt8(ascii: "{") && data.last == UInt8(ascii: "}")
        }
    }

    /// Result ids in order, and the positions of those shown bare.
    struct ResultSet {
        var ids: [String] = []
        var bare: [Int] = []

        mutating func add(_ id: String, _ verdict: ResultFilter.Verdict) {
            switch verdict {
            case .excluded: return
            case .bare: bare.append(ids.count)
            case .profile: break
            }
            ids.append(id)
        }
    }

    /// `filter_by_cohort`: the cohort's members (sorted), filtered.
    private static func cohortResults(_ fake: FakeMixpanel, _ raw: String, _ filter: ResultFilter, _ db: Database) throws -> ResultSet {
        guard let json = try? JSONValue(parsing: raw), let id = json["id"]?.intValue ?? json["id"]?.stringValue.flatMap({ Int64($0) }) else {
            throw QueryError(status: 400, message: "filter_by_cohort must be a JSON object like {\"id\": 123}")
        }
        guard let membership = try fake.membership(ofCohort: id, db) else { throw QueryError(status: 400, message: "cohort \(id) not found") }
        if filter.selector == nil {
            // Membership already knows who has profile properties: no profile needs reading.
            if filter.includeAllUsers || membership.bare.isEmpty {
                return ResultSet(ids: membership.ids, bare: filter.includeAllUsers ? membership.bare : [])
            }
            let bare = Set(membership.bare)
            return ResultSet(ids: membership.ids.indices.filter { !bare.contains($0) }.map { membership.ids[$0] })
        }
        var results = ResultSet()
        let bare = Set(membership.bare)
        for (position, id) in membership.ids.enumerated() {
            let stored = try bare.contains(position) ? nil : fake.storedProfile(id, db)
            results.add(id, filter.verdict(stored?.properties, lastSeen: stored?.lastSeen))
        }
        return results
    }

    /// `distinct_ids` / `distinct_id`: the listed users, in the given order, filtered.
    private static func listedResults(_ fake: FakeMixpanel, _ ids: [String], _ filter: ResultFilter, _ db: Database) throws -> ResultSet {
        var results = ResultSet()
        for id in ids {
            let stored = try fake.storedProfile(id, db)
            results.add(id, filter.verdict(stored?.properties, lastSeen: stored?.lastSeen))
        }
        return results
    }

    /// No filter: every visible profile, in SQLite's `distinct_id` order.
    private static func allProfileResults(_ fake: FakeMixpanel, _ filter: ResultFilter, _ db: Database) throws -> ResultSet {
        let graph = fake.identity.withLock { $0.graph }
        let rows = try Row.fetchCursor(try db.cachedStatement(sql: "SELECT distinct_id, properties, last_seen FROM profile ORDER BY distinct_id"))
        var results = ResultSet()
        while let row = try rows.next() {
            let id: String = row[0]
            guard fake.profileOwner(id, in: graph) != nil else { continue }
            let lastSeen: Int64 = row[2]
            results.add(id, try row.withUnsafeData(atIndex: 1) { filter.verdict($0, lastSeen: lastSeen) })
        }
        return results
    }
}

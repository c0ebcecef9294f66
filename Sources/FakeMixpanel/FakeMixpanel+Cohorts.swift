import GRDB
import SimStorage
import SimCore

extension FakeMixpanel {
    /// A cohort as the fake stores it.
    public struct CohortInfo: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var description: String
        public var definition: CohortDefinition
        public var created: SimTime
    }

    /// Every cohort that has not been deleted, by id.
    public func cohorts() throws -> [CohortInfo] {
        try database.reading { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM cohort WHERE deleted = 0 ORDER BY id")).compactMap { row in
                let text: String = row["definition"]
                guard let definition = (try? JSONValue(parsing: text)).flatMap(CohortDefinition.init(json:)) else { return nil }
                return CohortInfo(id: row["id"], name: row["name"], description: row["description"],
                                  definition: definition, created: SimTime(milliseconds: row["created"]))
            }
        }
    }

    /// Canonical ids of the cohort's members now, sorted; `nil` when there is no such cohort.
    public func members(ofCohort id: Int64) throws -> [String]? {
        try database.reading { db in try membership(ofCohort: id, db)?.ids }
    }

    /// Every canonical user: anyone with a visible profile (A7, A8) or a (deduplicated) event.
    func knownUsers() throws -> [String: CohortEvaluator.User] {
        try database.reading { db in try knownUsers(db) }
    }

    /// ``knownUsers()`` inside a read; cached until the next write (see `usersCache`).
    func knownUsers(_ db: Database) throws -> [String: CohortEvaluator.User] {
        let version = try dataVersion(db)
        if let cached = usersCache.withLock({ $0 }), cached.version == version { return cached.users }
        var users: [String: CohortEvaluator.User] = [:]
        for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM profile")) {
            let record = ProfileRecord(row: row)
            guard let owner = profileOwner(record.distinctID) else { continue }
            users[owner, default: .init(profile: nil, events: [:])].profile = record.properties
        }
        for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT distinct_id, name, time FROM live_event WHERE distinct_id != ''")) {
            let id = canonical(row["distinct_id"])
            users[id, default: .init(profile: nil, events: [:])].events[row["name"], default: []]
                .append(SimTime(milliseconds: row["time"]))
        }
        usersCache.withLock { $0 = (version, users) }
        return users
    }

    /// The version of the project's data: SQLite's `total_changes()`, which every committed or
    /// attempted row change moves forward, so equal versions mean equal data.
    func dataVersion(_ db: Database) throws -> Int {
        try Int.fetchOne(try db.cachedStatement(sql: "SELECT total_changes()")) ?? 0
    }

    /// Renames a cohort (a scenario step).
    public func renameCohort(id: Int64, to name: String) throws -> Bool {
        try database.write { db in
            try db.cachedStatement(sql: "UPDATE cohort SET name = ? WHERE id = ? AND deleted = 0").execute(arguments: [name, id])
            return db.changesCount > 0
        }
    }

    /// Deletes a cohort (a scenario step).
    public func deleteCohort(id: Int64) throws -> Bool {
        try database.write { db in
            try db.cachedStatement(sql: "UPDATE cohort SET deleted = 1 WHERE id = ? AND deleted = 0").execute(arguments: [id])
            return db.changesCount > 0
        }
    }
}

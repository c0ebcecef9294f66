import GRDB
import SimCore

/// The identity graph and the log of operations that built it (replayed for MTU, A28).
struct IdentityState: Sendable {
    /// One applied operation and when it was ingested.
    struct LogEntry: Sendable, Equatable {
        var time: SimTime
        var operation: IdentityOperation
    }

    var graph: IdentityGraph
    var log: [LogEntry] = []

    /// Applies `operation` at `time` and remembers it.
    mutating func apply(_ operation: IdentityOperation, at time: SimTime) -> IdentityOutcome {
        log.append(LogEntry(time: time, operation: operation))
        return graph.apply(operation)
    }

    /// The graph as it was after everything ingested before `end`.
    func graph(before end: SimTime) -> IdentityGraph {
        var replay = IdentityGraph(mode: graph.mode, settings: graph.settings, seed: graph.seed)
        for entry in log where entry.time < end { _ = replay.apply(entry.operation) }
        return replay
    }
}

extension FakeMixpanel {
    /// The canonical distinct_id of any id: ids of one cluster resolve to the same user.
    public func canonical(_ id: String) -> String {
        identity.withLock { $0.graph.canonical(id) }
    }

    /// Every distinct_id of `id`'s identity cluster, in the order they joined (`[id]` when alone).
    public func identityCluster(of id: String) -> [String] {
        identity.withLock { $0.graph.members(of: id) }
    }

    /// The user a stored profile shows as, or `nil` when it is hidden.
    ///
    /// Only a cluster's canonical id shows its profile; other members' profiles are hidden and
    /// never merged in (A7, canonical-only). Simplified exception (A8 (a), the default): a profile
    /// set on `$device:<id>` before the device was linked stays visible as a separate, orphaned user.
    func profileOwner(_ id: String) -> String? {
        identity.withLock { profileOwner(id, in: $0.graph) }
    }

    /// ``profileOwner(_:)`` against a copy of the graph, for loops over many profiles (one lock).
    func profileOwner(_ id: String, in graph: IdentityGraph) -> String? {
        if graph.canonical(id) == id { return id }
        if idMerge == .simplified && id.hasPrefix("$device:") && identitySettings.deviceProfiles == .keepOrphaned { return id }
        return nil
    }

    /// The user a query for `id` means: an orphaned profile's own id, else the canonical id.
    func queryID(_ id: String) -> String {
        if profileOwner(id) == id { return id }
        return canonical(id)
    }

    /// Rewrites the `identity` table (id → cluster, canonical) from the graph.
    func persistIdentity(_ db: Database) throws {
        let rows = identity.withLock { $0.graph.assignments }
        try db.execute(sql: "DELETE FROM identity")
        for row in rows {
            try db.cachedStatement(sql: "INSERT INTO identity (distinct_id, cluster, canonical) VALUES (?, ?, ?)").execute(arguments: [row.id, row.cluster, row.canonical])
        }
    }
}

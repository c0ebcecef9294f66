import SimCore

/// The identity clusters of one project: which distinct_ids are one user and which id is canonical.
///
/// A pure value: ``IdentityOperation``s go in, ``IdentityOutcome``s come out, nothing else
/// happens. The fake keeps one graph, persists it to its `identity` table and, for MTU at a
/// month's end (A28), rebuilds earlier graphs by replaying the operation log.
struct IdentityGraph: Sendable, Equatable {
    /// A set of merged ids. Ids not in any cluster are their own single-member users.
    struct Cluster: Sendable, Equatable {
        /// Members in the order they joined.
        var members: [String]
        var canonical: String
        /// Simplified: the cluster's one `$user_id`.
        var userID: String?
    }

    let mode: MixpanelWorld.IDMerge
    let settings: IdentitySettings
    let seed: UInt64
    private(set) var clusterOf: [String: Int] = [:]
    private(set) var clusters: [Int: Cluster] = [:]
    /// Values used as `$create_alias` `alias` (each may be an alias once).
    var aliases: Set<String> = []
    /// Ids used as `$identified_id` in a successful `$identify` (check 3 of the tree).
    var identifyTargets: Set<String> = []
    /// When an id first became identified (`$identified_id` or an alias's `distinct_id`), for A1 (a).
    var identifiedOrder: [String: Int] = [:]
    /// When the project first saw an id, for A1 (b).
    var firstSeen: [String: Int] = [:]
    private var counter = 0
    private var nextCluster = 1

    init(mode: MixpanelWorld.IDMerge, settings: IdentitySettings, seed: UInt64) {
        self.mode = mode
        self.settings = settings
        self.seed = seed
    }

    /// The canonical distinct_id of `id` (itself when it belongs to no cluster).
    func canonical(_ id: String) -> String {
        clusterOf[id].flatMap { clusters[$0]?.canonical } ?? id
    }

    /// Every id of `id`'s cluster, in joining order (just `[id]` when alone).
    func members(of id: String) -> [String] {
        clusterOf[id].flatMap { clusters[$0]?.members } ?? [id]
    }

    /// The cluster's `$user_id` (Simplified), if any.
    func userID(of id: String) -> String? {
        clusterOf[id].flatMap { clusters[$0]?.userID }
    }

    /// Every id that belongs to a cluster, with its canonical id, sorted by id.
    var assignments: [(id: String, cluster: Int, canonical: String)] {
        clusterOf.keys.sorted().map { ($0, clusterOf[$0]!, canonical($0)) }
    }

    /// Records that the project has seen `id` (for A1 (b), "oldest").
    mutating func see(_ id: String) {
        guard !id.isEmpty, firstSeen[id] == nil else { return }
        counter += 1
        firstSeen[id] = counter
    }

    mutating func markIdentified(_ id: String) {
        guard identifiedOrder[id] == nil else { return }
        counter += 1
        identifiedOrder[id] = counter
    }

    /// Size of the cluster that joining `a` and `b` would give.
    func mergedSize(_ a: String, _ b: String) -> Int {
        Set(members(of: a)).union(members(of: b)).count
    }

    /// Joins the clusters of `first` and `second`; `first`'s canonical id is the fallback choice.
    mutating func union(_ first: String, _ second: String, userID: String? = nil) -> IdentityOutcome {
        if first == second { return .unchanged }
        let a = members(of: first), b = members(of: second)
        if let ca = clusterOf[first], ca == clusterOf[second] { return .unchanged }
        let merged = a + b.filter { !a.contains($0) }
        let fallback = canonical(first)
        let user = userID ?? clusterOf[first].flatMap { clusters[$0]?.userID } ?? clusterOf[second].flatMap { clusters[$0]?.userID }
        for id in [clusterOf[first], clusterOf[second]].compactMap({ $0 }) { clusters.removeValue(forKey: id) }
        let id = nextCluster
        nextCluster += 1
        let chosen = user ?? chooseCanonical(merged, fallback: fallback)
        clusters[id] = Cluster(members: merged, canonical: chosen, userID: user)
        for member in merged { clusterOf[member] = id }
        return .merged(canonical: chosen)
    }

    /// Takes `id` out of its cluster (Simplified relink, A5 (b)).
    mutating func detach(_ id: String) {
        guard let cluster = clusterOf.removeValue(forKey: id), var value = clusters[cluster] else { return }
        value.members.removeAll { $0 == id }
        clusters[cluster] = value
    }

    private func chooseCanonical(_ members: [String], fallback: String) -> String {
        switch settings.canonicalChoice {
        case .firstIdentified:
            return members.filter { identifiedOrder[$0] != nil }.min { identifiedOrder[$0]! < identifiedOrder[$1]! } ?? fallback
        case .oldest:
            return members.min { (firstSeen[$0] ?? .max, $0) < (firstSeen[$1] ?? .max, $1) } ?? fallback
        case .seeded:
            return members.min { (rank($0), $0) < (rank($1), $1) } ?? fallback
        }
    }

    private func rank(_ id: String) -> UInt64 { StableHash.value(seed: seed, "canonical", id) }
}

/// What an identity operation did.
public enum IdentityOutcome: Sendable, Equatable {
    /// Nothing changed (already merged, a re-identify of the same pair, or nothing to merge).
    case unchanged
    /// Clusters were joined; the resulting canonical id.
    case merged(canonical: String)
    /// The merge was refused: the short reason (`errManyIDs`, …) and a longer description.
    case failed(reason: String, description: String)
}

import SimCore

/// The members of one cohort at one data version and one instant.
struct CohortMembership: Sendable, Equatable {
    /// Canonical ids of the members, sorted (Swift `String` order).
    var ids: [String]
    /// Positions in ``ids`` of members without profile properties (no visible profile, or an empty
    /// one), ascending. `/engage` shows them only with `include_all_users`.
    var bare: [Int]
}

/// Recently evaluated cohort memberships, so that `/cohorts/list` and the `/engage` query that
/// follows it in the same instant evaluate a cohort once.
///
/// An entry is keyed by cohort, data version (`total_changes()`, moved by every write: profiles,
/// events, identity, cohort definitions) and virtual time (behavioural rules count events within
/// a window ending now), so a hit is always what a fresh evaluation would give.
struct MembershipCache: Sendable {
    /// Entries kept; the least recently used one goes first.
    static let capacity = 4

    struct Key: Hashable, Sendable {
        var cohort: Int64
        var version: Int
        var now: SimTime
    }

    /// Least recently used first.
    private var entries: [(key: Key, definition: CohortDefinition, membership: CohortMembership)] = []

    var isEmpty: Bool { entries.isEmpty }

    /// The membership stored under `key`, now marked most recently used.
    mutating func lookup(_ key: Key) -> CohortMembership? {
        guard let index = entries.firstIndex(where: { $0.key == key }) else { return nil }
        let entry = entries.remove(at: index)
        entries.append(entry)
        return entry.membership
    }

    /// The most recently computed membership of `cohort` under `definition`, with its data version.
    func latest(cohort: Int64, definition: CohortDefinition) -> (version: Int, membership: CohortMembership)? {
        entries.filter { $0.key.cohort == cohort && $0.definition == definition }
            .max { $0.key.version < $1.key.version }
            .map { ($0.key.version, $0.membership) }
    }

    /// Stores `membership`, evicting the least recently used entry beyond ``capacity``.
    mutating func store(_ membership: CohortMembership, of definition: CohortDefinition, for key: Key) {
        entries.removeAll { $0.key == key }
        entries.append((key, definition, membership))
        if entries.count > Self.capacity { entries.removeFirst(entries.count - Self.capacity) }
    }
}

/// The profile writes made while memberships are cached, each with the data versions it spans,
/// so that a cohort decided by profiles alone is brought from one version to a later one by
/// re-evaluating only the profiles written in between.
///
/// That is only sound when those writes account for every change between the two versions (no
/// event, identity or cohort write in between); ``ids(from:to:)`` checks it by requiring the
/// logged spans to chain exactly from one version to the other.
struct ProfileWriteLog: Sendable {
    /// Entries kept at least; the log is trimmed to this size when it reaches twice as many.
    static let capacity = 100_000

    private struct Entry: Sendable {
        var before: Int
        var after: Int
        var id: String
    }

    /// In version order.
    private var entries: [Entry] = []

    /// Logs a write of `id`'s profile that moved the data version from `before` to `after`.
    mutating func record(_ id: String, from before: Int, to after: Int) {
        entries.append(Entry(before: before, after: after, id: id))
        if entries.count >= 2 * Self.capacity { entries.removeFirst(entries.count - Self.capacity) }
    }

    /// The ids whose profiles were written between versions `from` and `to`, or `nil` when
    /// logged profile writes do not account for every change in between.
    func ids(from: Int, to: Int) -> Set<String>? {
        guard from <= to else { return nil }
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].before < from { low = middle + 1 } else { high = middle }
        }
        var ids: Set<String> = []
        var version = from
        var index = low
        while version < to {
            guard index < entries.count, entries[index].before == version else { return nil }
            ids.insert(entries[index].id)
            version = entries[index].after
            index += 1
        }
        return version == to ? ids : nil
    }
}

extension CohortDefinition {
    /// The profile properties the definition reads, or `nil` when it also reads events (`did`) or
    /// names users (`ids`): then only the full evaluation over every known user can decide it.
    var profilePropertyNames: Set<String>? {
        switch self {
        case .ids, .did:
            return nil
        case .property(let name, _, _):
            return [name]
        case .all(let parts), .any(let parts):
            var names: Set<String> = []
            for part in parts {
                guard let partNames = part.profilePropertyNames else { return nil }
                names.formUnion(partNames)
            }
            return names
        case .not(let part):
            return part.profilePropertyNames
        }
    }
}

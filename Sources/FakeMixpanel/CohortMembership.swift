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
    private var entries: [(key: Key, membership: CohortMembership)] = []

    /// The membership stored under `key`, now marked most recently used.
    mutating func lookup(_ key: Key) -> CohortMembership? {
        guard let index = entries.firstIndex(where: { $0.key == key }) else { return nil }
        let entry = entries.remove(at: index)
        entries.append(entry)
        return entry.membership
    }

    /// Stores `membership`, evicting the least recently used entry beyond ``capacity``.
    mutating func store(_ membership: CohortMembership, for key: Key) {
        entries.removeAll { $0.key == key }
        entries.append((key, membership))
        if entries.count > Self.capacity { entries.removeFirst(entries.count - Self.capacity) }
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

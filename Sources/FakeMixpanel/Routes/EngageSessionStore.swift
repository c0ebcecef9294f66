import Foundation
import SimCore

/// The result set of one `/engage` session: which users, in which order, as of which data version.
///
/// A session holds ids, not rendered profiles; each page is rendered from SQLite when asked for
/// (``EngageSessionStore/preserved(_:asOf:)`` supplies profiles written since), so a session costs
/// a few bytes per user and a page costs its own 1,000 profiles.
struct EngageSession: Sendable {
    /// The data version (`total_changes()`) the result set was computed at: pages show profiles as
    /// they were then (A19).
    var version: Int
    /// The users of the result set, in result order.
    var ids: [String]
    /// Positions in ``ids`` shown without properties (`include_all_users` users that have no
    /// profile properties), ascending.
    var bare: [Int]
    /// `output_properties` of the query that created the session, if any.
    var outputProperties: [String]?

    var total: Int { ids.count }

    /// Whether the user at `position` is shown without properties.
    func isBare(_ position: Int) -> Bool {
        var low = 0, high = bare.count
        while low < high {
            let middle = (low + high) / 2
            if bare[middle] < position { low = middle + 1 } else { high = middle }
        }
        return low < bare.count && bare[low] == position
    }
}

/// A profile row as stored: its canonical properties text and `last_seen` (milliseconds).
struct StoredProfile: Sendable, Equatable {
    var properties: Data
    var lastSeen: Int64
}

/// The `/engage` sessions the fake keeps, and the profile versions their pages still need.
///
/// Fidelity decision: real Mixpanel expires sessions after a while; the fake keeps the
/// ``capacity`` most recently used sessions and forgets older ones, deterministically (no wall
/// clock). A forgotten `session_id` is then treated like any unknown one: evaluated afresh and
/// stored under that id. The engine pages through a session right after creating it, so it never
/// meets an evicted one.
///
/// Pages show the snapshot the session was created from (A19) although they are rendered later:
/// before the fake changes or deletes a profile while sessions exist, it keeps the previous row
/// here (``recordWrite(of:before:version:)``), and a page for a session created at version `v`
/// uses the first row kept at or after `v` for that user. Kept rows older than every live session
/// are dropped when a session is evicted.
struct EngageSessionStore: Sendable {
    /// Sessions kept; the least recently used one is forgotten first.
    static let capacity = 16

    private var sessions: [String: EngageSession] = [:]
    /// Session ids, least recently used first.
    private var recency: [String] = []
    /// Per user: rows as they were before each write since the oldest live session, oldest first.
    private var history: [String: [(version: Int, before: StoredProfile?)]] = [:]

    var isEmpty: Bool { sessions.isEmpty }

    /// Whether some profile row was replaced while a session was open (see ``preserved(_:asOf:)``).
    var keepsReplacedRows: Bool { !history.isEmpty }

    /// The session named `id`, now the most recently used.
    mutating func session(named id: String) -> EngageSession? {
        guard let session = sessions[id] else { return nil }
        touch(id)
        return session
    }

    /// Stores (or replaces) the session named `id`, forgetting the least recently used one beyond ``capacity``.
    mutating func store(_ session: EngageSession, named id: String) {
        sessions[id] = session
        touch(id)
        guard recency.count > Self.capacity else { return }
        sessions.removeValue(forKey: recency.removeFirst())
        pruneHistory()
    }

    /// Keeps `before`, the row of `id` (nil: none) that a write at data version `version` replaces.
    mutating func recordWrite(of id: String, before: StoredProfile?, version: Int) {
        guard !sessions.isEmpty else { return }
        history[id, default: []].append((version, before))
    }

    /// The row of `id` as it was at data version `version`, when it has been written since
    /// (`.some(nil)`: it did not exist then); `nil` when the current row is still that one.
    func preserved(_ id: String, asOf version: Int) -> StoredProfile?? {
        guard let entry = history[id]?.first(where: { $0.version >= version }) else { return nil }
        return .some(entry.before)
    }

    private mutating func touch(_ id: String) {
        recency.removeAll { $0 == id }
        recency.append(id)
    }

    /// Drops kept rows that no live session can ask for.
    private mutating func pruneHistory() {
        guard let oldest = sessions.values.map(\.version).min() else { history = [:]; return }
        history = history.compactMapValues { entries in
            let needed = entries.filter { $0.version >= oldest }
            return needed.isEmpty ? nil : needed
        }
    }
}

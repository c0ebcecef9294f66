import Synchronization

/// Where recent listing pages ended, so that the next page of a listing resumes from the last
/// row's sort key (keyset paging) instead of skipping `offset` rows.
///
/// Mailchimp pages with `count` and `offset`; a client reading a whole listing asks for offset 0,
/// 1000, 2000, … Skipping `offset` rows on each page makes reading a listing quadratic. After each
/// page the fake remembers, per listing, the offset the next page would start at, the last row's
/// `(web_id, hash)` and `total_items`. A request whose offset is that next offset continues after
/// the key; any other offset falls back to `LIMIT … OFFSET …` on the index.
///
/// A cursor is valid only while the database is unchanged: it records SQLite's
/// `total_changes` and is ignored once that moves on, so a page never differs from what
/// `OFFSET` would give. Answers do not depend on whether a cursor was used, so determinism holds.
/// At most `capacity` listings are remembered (the oldest is forgotten first), bounding memory.
final class ListingCursors: Sendable {
    /// The sort key of a listing row: members are listed by `(web_id, hash)`.
    struct Key: Sendable, Equatable {
        var webID: Int64
        var hash: String
    }

    struct Cursor: Sendable, Equatable {
        /// `total_changes` of the connection when the page was read.
        var changes: Int
        var total: Int
        /// The offset of the row after `last`.
        var nextOffset: Int
        var last: Key
    }

    static let capacity = 16

    private struct State {
        var cursors: [String: Cursor] = [:]
        /// Listing names, least recently stored first.
        var order: [String] = []
    }

    private let state = Mutex(State())

    /// The cursor stored for `listing`, if the database has not changed since.
    func cursor(for listing: String, changes: Int) -> Cursor? {
        state.withLock { state in
            guard let cursor = state.cursors[listing], cursor.changes == changes else { return nil }
            return cursor
        }
    }

    func store(_ cursor: Cursor, for listing: String) {
        state.withLock { state in
            if state.cursors.updateValue(cursor, forKey: listing) != nil { state.order.removeAll { $0 == listing } }
            state.order.append(listing)
            if state.order.count > Self.capacity { state.cursors[state.order.removeFirst()] = nil }
        }
    }
}

import GRDB
import SimCore

/// One page of a member listing ordered by `(web_id, hash)`, with the listing's `total_items`.
///
/// `filter` selects the listing's members from `member m` (its `?` bound to `arguments`). The
/// page is read from the `(list_id, [status,] web_id, hash)` indices: with `LIMIT … OFFSET …`, or,
/// when the request continues the listing's previous page and nothing changed since, after that
/// page's last key (see `ListingCursors`). Only the page is held in memory.
struct MemberPages {
    /// Names the listing for `ListingCursors`, e.g. `members|list|unsubscribed`.
    let listing: String
    let filter: String
    let arguments: [any DatabaseValueConvertible]
    /// Counts the listing's members (`total_items`).
    let countSQL: String

    /// `total_items`: remembered with the listing's cursor while nothing changed, else counted.
    func total(_ db: Database, cursors: ListingCursors) throws -> Int {
        if let cursor = cursors.cursor(for: listing, changes: db.totalChangesCount) { return cursor.total }
        return try Int.fetchOne(try db.cachedStatement(sql: countSQL), arguments: StatementArguments(arguments)) ?? 0
    }

    /// The members at `offset ..< offset + count`, and `total_items`.
    func page(_ db: Database, cursors: ListingCursors, count: Int, offset: Int) throws -> (members: [MemberRecord], total: Int) {
        let changes = db.totalChangesCount
        let cursor = cursors.cursor(for: listing, changes: changes)
        let total = try cursor?.total ?? self.total(db, cursors: cursors)
        let select = "SELECT m.* FROM member m WHERE \(filter)"
        let rows: [Row]
        if let cursor, offset > 0, cursor.nextOffset == offset {
            rows = try Row.fetchAll(try db.cachedStatement(sql: select + " AND (m.web_id, m.hash) > (?, ?) ORDER BY m.web_id, m.hash LIMIT ?"),
                                    arguments: StatementArguments(arguments + [cursor.last.webID, cursor.last.hash, count]))
        } else {
            rows = try Row.fetchAll(try db.cachedStatement(sql: select + " ORDER BY m.web_id, m.hash LIMIT ? OFFSET ?"),
                                    arguments: StatementArguments(arguments + [count, offset]))
        }
        let members = try rows.map(MemberRecord.init)
        if let last = members.last {
            cursors.store(.init(changes: changes, total: total, nextOffset: offset + members.count, last: .init(webID: last.webID, hash: last.hash)),
                          for: listing)
        }
        return (members, total)
    }
}

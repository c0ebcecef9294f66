import GRDB

/// Third schema step: indices for the paged member listings.
///
/// `GET /lists/{id}/members` and `GET /lists/{id}/segments/{id}/members` are ordered by
/// `(web_id, hash)`. Without these indices every page scanned and sorted the whole audience, so
/// paging through it was quadratic; with them a page is an index range (plus the skipped entries
/// for an `OFFSET` that does not continue the previous page, see `ListingCursors`).
///
/// They cost two more B-tree inserts per new contact; the listings they serve are read on every
/// first export (the existing contacts' statuses), so they pay off at any audience size.
enum MailchimpSchemaV3 {
    static func apply(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX member_by_web_id ON member (list_id, web_id, hash);
            CREATE INDEX member_by_status_web_id ON member (list_id, status, web_id, hash);
            """)
    }
}

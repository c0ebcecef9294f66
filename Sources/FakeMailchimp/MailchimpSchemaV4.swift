import GRDB

/// Fourth schema step: tags stored by their primary key.
///
/// `member_tag` becomes a `WITHOUT ROWID` table clustered on `(list_id, segment_id, hash)`. Every
/// lookup already went through that key, so the rowid B-tree was a second copy to update on each
/// tag write. (`member` keeps its rowid: its rows are wide and arrive in hash order, and
/// clustering them on the hash made a million-contact export slower, measured.) Every query
/// orders its results explicitly, so no order changes.
enum MailchimpSchemaV4 {
    static func apply(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE member_tag_v4 (
                list_id TEXT NOT NULL, segment_id INTEGER NOT NULL, hash TEXT NOT NULL, date_added TEXT NOT NULL,
                PRIMARY KEY (list_id, segment_id, hash),
                FOREIGN KEY (list_id, segment_id) REFERENCES segment(list_id, id) ON DELETE CASCADE,
                FOREIGN KEY (list_id, hash) REFERENCES member(list_id, hash) ON DELETE CASCADE) WITHOUT ROWID;
            INSERT INTO member_tag_v4 (list_id, segment_id, hash, date_added)
                SELECT list_id, segment_id, hash, date_added FROM member_tag;
            DROP TABLE member_tag;
            ALTER TABLE member_tag_v4 RENAME TO member_tag;
            """)
    }
}

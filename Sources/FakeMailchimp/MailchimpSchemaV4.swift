import GRDB

/// Fourth schema step: contacts and their tags stored by their primary keys.
///
/// `member` and `member_tag` become `WITHOUT ROWID` tables clustered on `(list_id, hash)` and
/// `(list_id, segment_id, hash)`. Every lookup already went through those keys, so the rowid
/// B-tree was a second copy to update on each insert: a million-contact export wrote one B-tree
/// fewer per contact and per tag. Every query orders its results explicitly, so no order changes.
enum MailchimpSchemaV4 {
    static func apply(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE member_v4 (
                list_id TEXT NOT NULL REFERENCES list(id) ON DELETE CASCADE, hash TEXT NOT NULL,
                email TEXT NOT NULL, status TEXT NOT NULL, unsubscribed_by TEXT, status_before_archive TEXT,
                merge_fields TEXT NOT NULL, unique_email_id TEXT NOT NULL, web_id INTEGER NOT NULL,
                timestamp_signup TEXT NOT NULL, timestamp_opt TEXT NOT NULL, last_changed TEXT NOT NULL,
                unsubscribe_reason TEXT,
                PRIMARY KEY (list_id, hash)) WITHOUT ROWID;
            INSERT INTO member_v4 (list_id, hash, email, status, unsubscribed_by, status_before_archive, merge_fields,
                                   unique_email_id, web_id, timestamp_signup, timestamp_opt, last_changed, unsubscribe_reason)
                SELECT list_id, hash, email, status, unsubscribed_by, status_before_archive, merge_fields,
                       unique_email_id, web_id, timestamp_signup, timestamp_opt, last_changed, unsubscribe_reason FROM member;
            CREATE TABLE member_tag_v4 (
                list_id TEXT NOT NULL, segment_id INTEGER NOT NULL, hash TEXT NOT NULL, date_added TEXT NOT NULL,
                PRIMARY KEY (list_id, segment_id, hash),
                FOREIGN KEY (list_id, segment_id) REFERENCES segment(list_id, id) ON DELETE CASCADE,
                FOREIGN KEY (list_id, hash) REFERENCES member(list_id, hash) ON DELETE CASCADE) WITHOUT ROWID;
            INSERT INTO member_tag_v4 (list_id, segment_id, hash, date_added)
                SELECT list_id, segment_id, hash, date_added FROM member_tag;
            DROP TABLE member_tag;
            DROP TABLE member;
            ALTER TABLE member_v4 RENAME TO member;
            ALTER TABLE member_tag_v4 RENAME TO member_tag;
            CREATE INDEX member_by_web_id ON member (list_id, web_id, hash);
            CREATE INDEX member_by_status_web_id ON member (list_id, status, web_id, hash);
            """)
    }
}

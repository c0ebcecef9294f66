import GRDB

/// Second schema step: audience settings, merge-field definitions, campaigns and their reports,
/// batch operations and webhooks.
enum MailchimpSchemaV2 {
    static func apply(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE list ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
            CREATE TABLE merge_field (
                list_id TEXT NOT NULL REFERENCES list(id) ON DELETE CASCADE, merge_id INTEGER NOT NULL,
                tag TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, required INTEGER NOT NULL,
                default_value TEXT NOT NULL, public INTEGER NOT NULL, display_order INTEGER NOT NULL,
                options TEXT NOT NULL, help_text TEXT NOT NULL,
                PRIMARY KEY (list_id, merge_id), UNIQUE (list_id, tag));
            CREATE TABLE campaign (
                id TEXT PRIMARY KEY, web_id INTEGER NOT NULL, list_id TEXT NOT NULL, list_name TEXT NOT NULL,
                tag TEXT, subject TEXT NOT NULL, sent_ms INTEGER NOT NULL, send_time TEXT NOT NULL);
            CREATE TABLE campaign_recipient (
                campaign_id TEXT NOT NULL REFERENCES campaign(id), hash TEXT NOT NULL, email TEXT NOT NULL,
                merge_fields TEXT NOT NULL, status TEXT NOT NULL, open_count INTEGER NOT NULL DEFAULT 0,
                last_open TEXT NOT NULL DEFAULT '', PRIMARY KEY (campaign_id, hash));
            CREATE TABLE campaign_activity (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, campaign_id TEXT NOT NULL, hash TEXT NOT NULL,
                action TEXT NOT NULL, at_ms INTEGER NOT NULL, url TEXT, type TEXT);
            CREATE TABLE campaign_unsubscribe (
                campaign_id TEXT NOT NULL, hash TEXT NOT NULL, email TEXT NOT NULL, merge_fields TEXT NOT NULL,
                timestamp TEXT NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (campaign_id, hash));
            CREATE TABLE batch (
                id TEXT PRIMARY KEY, submitted_ms INTEGER NOT NULL, operations TEXT NOT NULL,
                claimed INTEGER NOT NULL DEFAULT 0, results TEXT, errored INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE webhook (
                list_id TEXT NOT NULL REFERENCES list(id) ON DELETE CASCADE, id TEXT NOT NULL, url TEXT NOT NULL,
                events TEXT NOT NULL, sources TEXT NOT NULL, PRIMARY KEY (list_id, id));
            CREATE TABLE webhook_delivery (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, webhook_id TEXT NOT NULL, list_id TEXT NOT NULL,
                url TEXT NOT NULL, at_ms INTEGER NOT NULL, type TEXT NOT NULL, source TEXT NOT NULL, body TEXT NOT NULL);
            """)
    }
}

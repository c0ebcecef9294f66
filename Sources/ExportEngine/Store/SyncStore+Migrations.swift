import GRDB
import SimStorage

extension SyncStore {
    /// The engine database's schema, in order; each runs once per database, by name. Never edit a
    /// migration that has shipped: add one.
    static let migrations: SQLiteDatabase.Migrations = [
        ("v1", { db in
            try db.execute(sql: """
                CREATE TABLE connection (
                    id INTEGER PRIMARY KEY CHECK (id = 1), api_key TEXT NOT NULL, data_center TEXT NOT NULL,
                    connected_at INTEGER NOT NULL);
                CREATE TABLE sync (
                    id INTEGER PRIMARY KEY, cohort_id INTEGER NOT NULL, audience_id TEXT NOT NULL, mode TEXT NOT NULL,
                    state TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', tag_name TEXT NOT NULL, tag_id INTEGER,
                    next_run INTEGER, created INTEGER NOT NULL);
                CREATE TABLE snapshot (
                    cohort_id INTEGER NOT NULL, audience_id TEXT NOT NULL, taken_at INTEGER NOT NULL,
                    PRIMARY KEY (cohort_id, audience_id));
                CREATE TABLE snapshot_member (
                    cohort_id INTEGER NOT NULL, audience_id TEXT NOT NULL, email_key TEXT NOT NULL,
                    email TEXT NOT NULL, distinct_id TEXT NOT NULL,
                    PRIMARY KEY (cohort_id, audience_id, email_key));
                CREATE TABLE run (
                    number INTEGER PRIMARY KEY, sync_id INTEGER NOT NULL REFERENCES sync(id), trigger TEXT NOT NULL,
                    started INTEGER NOT NULL, finished INTEGER NOT NULL, outcome TEXT NOT NULL, error TEXT NOT NULL,
                    full_reconcile INTEGER NOT NULL, cohort_size INTEGER NOT NULL, exported INTEGER NOT NULL,
                    added INTEGER NOT NULL, removed INTEGER NOT NULL, unchanged INTEGER NOT NULL,
                    skipped TEXT NOT NULL, rejected TEXT NOT NULL, mailchimp_requests INTEGER NOT NULL,
                    mixpanel_requests INTEGER NOT NULL);
                CREATE TABLE run_member (
                    number INTEGER NOT NULL REFERENCES run(number), seq INTEGER NOT NULL, action TEXT NOT NULL,
                    distinct_id TEXT NOT NULL, email TEXT NOT NULL, reason TEXT NOT NULL,
                    PRIMARY KEY (number, seq));
                """)
        }),
        ("v2", { db in
            // merge_fields: the audience's merge tags as a JSON array, read once per sync (NULL: not read yet).
            // mixpanel_id: the id engagement events are sent under ($user_id when the profile has one).
            // skip_list: contacts Mailchimp must not be sent again (compliance), per audience.
            // pending_run: a run that has started and not been recorded; survives a crash.
            try db.execute(sql: """
                ALTER TABLE sync ADD COLUMN merge_fields TEXT;
                ALTER TABLE snapshot_member ADD COLUMN mixpanel_id TEXT NOT NULL DEFAULT '';
                CREATE TABLE skip_list (
                    audience_id TEXT NOT NULL, email_key TEXT NOT NULL, email TEXT NOT NULL, reason TEXT NOT NULL,
                    recorded_at INTEGER NOT NULL, PRIMARY KEY (audience_id, email_key));
                CREATE TABLE pending_run (
                    number INTEGER PRIMARY KEY, sync_id INTEGER NOT NULL REFERENCES sync(id), trigger TEXT NOT NULL,
                    started INTEGER NOT NULL, stage TEXT NOT NULL, stage_at INTEGER NOT NULL);
                CREATE TABLE engagement_cursor (
                    audience_id TEXT PRIMARY KEY, imported_until INTEGER NOT NULL);
                CREATE TABLE engagement_run (
                    number INTEGER PRIMARY KEY, audience_id TEXT NOT NULL, started INTEGER NOT NULL, finished INTEGER NOT NULL,
                    outcome TEXT NOT NULL, error TEXT NOT NULL, since INTEGER, until INTEGER NOT NULL,
                    campaigns INTEGER NOT NULL, events TEXT NOT NULL, imported INTEGER NOT NULL, unattributed INTEGER NOT NULL,
                    refused INTEGER NOT NULL, mailchimp_requests INTEGER NOT NULL, mixpanel_requests INTEGER NOT NULL);
                """)
        }),
        ("v3", { db in
            // Engagement attribution looks contacts up by audience and address, whatever the cohort.
            try db.execute(sql: "CREATE INDEX snapshot_member_by_address ON snapshot_member (audience_id, email_key)")
        }),
        ("v4", { db in
            // Snapshot versions, so that a run's no-ops need not be stored one row per member (a
            // million-member cohort would add a million rows every two hours):
            // - snapshot_member.since_run: the run that wrote this version of the member (0: before v4);
            //   added = 1 when that run tagged the member (an add), 0 when it was already tagged.
            // - snapshot_departure: versions replaced or removed, with the run that ended them.
            // - run.noops_derived = 1: the run's no-ops are the snapshot versions present after it
            //   that it did not add, and are not in run_member.
            try db.execute(sql: """
                ALTER TABLE snapshot_member ADD COLUMN since_run INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE snapshot_member ADD COLUMN added INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE snapshot_departure (
                    cohort_id INTEGER NOT NULL, audience_id TEXT NOT NULL, email_key TEXT NOT NULL, email TEXT NOT NULL,
                    distinct_id TEXT NOT NULL, mixpanel_id TEXT NOT NULL, since_run INTEGER NOT NULL, added INTEGER NOT NULL,
                    until_run INTEGER NOT NULL);
                CREATE INDEX snapshot_departure_by_run ON snapshot_departure (cohort_id, audience_id, until_run);
                ALTER TABLE run ADD COLUMN noops_derived INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE run ADD COLUMN cohort_id INTEGER;
                ALTER TABLE run ADD COLUMN audience_id TEXT;
                """)
        }),
        ("v5", { db in
            // The snapshot clustered on its key: every run probes it once per cohort member, and a
            // rowid table made each probe two B-tree searches (and each write two B-tree inserts).
            try db.execute(sql: """
                CREATE TABLE snapshot_member_v5 (
                    cohort_id INTEGER NOT NULL, audience_id TEXT NOT NULL, email_key TEXT NOT NULL,
                    email TEXT NOT NULL, distinct_id TEXT NOT NULL, mixpanel_id TEXT NOT NULL DEFAULT '',
                    since_run INTEGER NOT NULL DEFAULT 0, added INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (cohort_id, audience_id, email_key)) WITHOUT ROWID;
                INSERT INTO snapshot_member_v5 (cohort_id, audience_id, email_key, email, distinct_id, mixpanel_id, since_run, added)
                    SELECT cohort_id, audience_id, email_key, email, distinct_id, mixpanel_id, since_run, added FROM snapshot_member;
                DROP TABLE snapshot_member;
                ALTER TABLE snapshot_member_v5 RENAME TO snapshot_member;
                CREATE INDEX snapshot_member_by_address ON snapshot_member (audience_id, email_key);
                """)
        }),
        ("v6", { db in
            // The requests a pending run had made at its last checkpoint: an interrupted run reports them.
            try db.execute(sql: """
                ALTER TABLE pending_run ADD COLUMN mailchimp_requests INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE pending_run ADD COLUMN mixpanel_requests INTEGER NOT NULL DEFAULT 0;
                """)
        }),
        ("v7", { db in
            // Every change of a sync's state, with its reason (SyncStore+Lifecycle.swift).
            try db.execute(sql: """
                CREATE TABLE sync_event (
                    seq INTEGER PRIMARY KEY, sync_id INTEGER NOT NULL REFERENCES sync(id), at INTEGER NOT NULL,
                    state TEXT NOT NULL, reason TEXT NOT NULL);
                """)
        }),
        ("v8", { db in
            // Runs take time: the slot a scheduled run was for (NULL: not scheduled), and the
            // slots of its sync that came while it was under way (skipped, ExportEngine.nextSlot).
            try db.execute(sql: """
                ALTER TABLE run ADD COLUMN slot INTEGER;
                ALTER TABLE run ADD COLUMN slots_skipped INTEGER NOT NULL DEFAULT 0;
                """)
        }),
    ]
}

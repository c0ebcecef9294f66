import GRDB
import SimCore

/// A row of `sync`, as stored; ``info()`` turns it into the domain value.
struct SyncRecord: FetchableRecord {
    enum Columns {
        static let id = Column("id"), cohortID = Column("cohort_id"), audienceID = Column("audience_id")
        static let mode = Column("mode"), state = Column("state"), reason = Column("reason")
        static let tagName = Column("tag_name"), tagID = Column("tag_id"), nextRun = Column("next_run")
        static let mergeFields = Column("merge_fields")
    }

    var id: Int64
    var cohortID: Int64
    var audienceID: String
    var mode: String
    var state: String
    var reason: String
    var tagName: String
    var tagID: Int64?
    var nextRun: Int64?
    var mergeFields: String?

    init(row: Row) {
        id = row[Columns.id]
        cohortID = row[Columns.cohortID]
        audienceID = row[Columns.audienceID]
        mode = row[Columns.mode]
        state = row[Columns.state]
        reason = row[Columns.reason]
        tagName = row[Columns.tagName]
        tagID = row[Columns.tagID]
        nextRun = row[Columns.nextRun]
        mergeFields = row[Columns.mergeFields]
    }

    /// The sync; an unknown mode or state in the database is an error, never a default.
    func info() throws -> SyncInfo {
        SyncInfo(id: id, cohortID: cohortID, audienceID: audienceID,
                 mode: try SyncStore.domainValue(mode, column: "sync.mode"),
                 state: SyncState(try SyncStore.domainValue(state, column: "sync.state"), reason: reason),
                 tagName: tagName, tagID: tagID, nextRun: nextRun.map(SimTime.init(milliseconds:)),
                 mergeFields: try mergeFields.map { try SyncStore.decodeList($0) })
    }
}

/// A row of `run`: one recorded run's report.
struct RunRecord: FetchableRecord {
    enum Columns {
        static let number = Column("number"), syncID = Column("sync_id"), trigger = Column("trigger")
        static let started = Column("started"), finished = Column("finished"), outcome = Column("outcome")
        static let error = Column("error"), fullReconcile = Column("full_reconcile"), cohortSize = Column("cohort_size")
        static let exported = Column("exported"), added = Column("added"), removed = Column("removed")
        static let unchanged = Column("unchanged"), skipped = Column("skipped"), rejected = Column("rejected")
        static let mailchimpRequests = Column("mailchimp_requests"), mixpanelRequests = Column("mixpanel_requests")
    }

    var number: Int64
    var syncID: Int64
    var trigger: String
    var started: Int64
    var finished: Int64
    var outcome: String
    var error: String
    var fullReconcile: Bool
    var cohortSize: Int
    var exported: Int
    var added: Int
    var removed: Int
    var unchanged: Int
    var skipped: String
    var rejected: String
    var mailchimpRequests: Int
    var mixpanelRequests: Int

    init(row: Row) {
        number = row[Columns.number]
        syncID = row[Columns.syncID]
        trigger = row[Columns.trigger]
        started = row[Columns.started]
        finished = row[Columns.finished]
        outcome = row[Columns.outcome]
        error = row[Columns.error]
        fullReconcile = row[Columns.fullReconcile]
        cohortSize = row[Columns.cohortSize]
        exported = row[Columns.exported]
        added = row[Columns.added]
        removed = row[Columns.removed]
        unchanged = row[Columns.unchanged]
        skipped = row[Columns.skipped]
        rejected = row[Columns.rejected]
        mailchimpRequests = row[Columns.mailchimpRequests]
        mixpanelRequests = row[Columns.mixpanelRequests]
    }

    /// The report, without its change list; unknown domain values are errors.
    func report() throws -> RunReport {
        var report = RunReport(number: number, syncID: syncID, trigger: try SyncStore.domainValue(trigger, column: "run.trigger"),
                               started: SimTime(milliseconds: started))
        report.finished = SimTime(milliseconds: finished)
        report.outcome = try SyncStore.domainValue(outcome, column: "run.outcome")
        report.error = error
        report.fullReconcile = fullReconcile
        report.cohortSize = cohortSize
        report.exported = exported
        report.added = added
        report.removed = removed
        report.unchanged = unchanged
        report.skipped = try SyncStore.decode(skipped)
        report.rejected = try SyncStore.decode(rejected)
        report.mailchimpRequests = mailchimpRequests
        report.mixpanelRequests = mixpanelRequests
        return report
    }
}

/// A row of `run_member` (or of a derived no-op list): one member's change in a run.
struct MemberChangeRecord: FetchableRecord {
    enum Columns {
        static let action = Column("action"), distinctID = Column("distinct_id"), email = Column("email"), reason = Column("reason")
    }

    var action: String
    var distinctID: String
    var email: String
    var reason: String

    init(row: Row) {
        action = row[Columns.action]
        distinctID = row[Columns.distinctID]
        email = row[Columns.email]
        reason = row[Columns.reason]
    }

    func change() throws -> MemberChange {
        MemberChange(action: try SyncStore.domainValue(action, column: "run_member.action"), distinctID: distinctID, email: email, reason: reason)
    }
}

/// A row of `pending_run`: a run that started and has not been recorded (yet).
struct PendingRunRecord: FetchableRecord {
    enum Columns {
        static let number = Column("number"), syncID = Column("sync_id"), trigger = Column("trigger")
        static let started = Column("started"), stage = Column("stage"), stageAt = Column("stage_at")
        static let mailchimpRequests = Column("mailchimp_requests"), mixpanelRequests = Column("mixpanel_requests")
    }

    var number: Int64
    var syncID: Int64
    var trigger: String
    var started: Int64
    var stage: String
    var stageAt: Int64
    var mailchimpRequests: Int
    var mixpanelRequests: Int

    init(row: Row) {
        number = row[Columns.number]
        syncID = row[Columns.syncID]
        trigger = row[Columns.trigger]
        started = row[Columns.started]
        stage = row[Columns.stage]
        stageAt = row[Columns.stageAt]
        mailchimpRequests = row[Columns.mailchimpRequests]
        mixpanelRequests = row[Columns.mixpanelRequests]
    }

    func pendingRun() throws -> PendingRun {
        PendingRun(number: number, syncID: syncID, trigger: try SyncStore.domainValue(trigger, column: "pending_run.trigger"),
                   started: SimTime(milliseconds: started), stage: stage, stageAt: SimTime(milliseconds: stageAt),
                   mailchimpRequests: mailchimpRequests, mixpanelRequests: mixpanelRequests)
    }
}

/// A row of `engagement_run`: one engagement import's report.
struct EngagementRunRecord: FetchableRecord {
    enum Columns {
        static let number = Column("number"), audienceID = Column("audience_id"), started = Column("started")
        static let since = Column("since"), until = Column("until"), finished = Column("finished")
        static let outcome = Column("outcome"), error = Column("error"), campaigns = Column("campaigns")
        static let events = Column("events"), imported = Column("imported"), unattributed = Column("unattributed")
        static let refused = Column("refused")
        static let mailchimpRequests = Column("mailchimp_requests"), mixpanelRequests = Column("mixpanel_requests")
    }

    var number: Int64
    var audienceID: String
    var started: Int64
    var since: Int64?
    var until: Int64
    var finished: Int64
    var outcome: String
    var error: String
    var campaigns: Int
    var events: String
    var imported: Int
    var unattributed: Int
    var refused: Int
    var mailchimpRequests: Int
    var mixpanelRequests: Int

    init(row: Row) {
        number = row[Columns.number]
        audienceID = row[Columns.audienceID]
        started = row[Columns.started]
        since = row[Columns.since]
        until = row[Columns.until]
        finished = row[Columns.finished]
        outcome = row[Columns.outcome]
        error = row[Columns.error]
        campaigns = row[Columns.campaigns]
        events = row[Columns.events]
        imported = row[Columns.imported]
        unattributed = row[Columns.unattributed]
        refused = row[Columns.refused]
        mailchimpRequests = row[Columns.mailchimpRequests]
        mixpanelRequests = row[Columns.mixpanelRequests]
    }

    func report() throws -> EngagementReport {
        var report = EngagementReport(audienceID: audienceID, started: SimTime(milliseconds: started),
                                      since: since.map(SimTime.init(milliseconds:)), until: SimTime(milliseconds: until))
        report.number = number
        report.finished = SimTime(milliseconds: finished)
        report.outcome = try SyncStore.domainValue(outcome, column: "engagement_run.outcome")
        report.error = error
        report.campaigns = campaigns
        report.events = try SyncStore.decode(events)
        report.imported = imported
        report.unattributed = unattributed
        report.refused = refused
        report.mailchimpRequests = mailchimpRequests
        report.mixpanelRequests = mixpanelRequests
        return report
    }
}

/// A row of `sync_event`: one state change of a sync, with its reason.
struct SyncEventRecord: FetchableRecord {
    enum Columns {
        static let syncID = Column("sync_id"), at = Column("at"), state = Column("state"), reason = Column("reason")
    }

    var syncID: Int64
    var at: Int64
    var state: String
    var reason: String

    init(row: Row) {
        syncID = row[Columns.syncID]
        at = row[Columns.at]
        state = row[Columns.state]
        reason = row[Columns.reason]
    }

    func change() throws -> SyncStateChange {
        SyncStateChange(syncID: syncID, at: SimTime(milliseconds: at), state: try SyncStore.domainValue(state, column: "sync_event.state"), reason: reason)
    }
}

/// A row of `skip_list`: an address the audience refused, and why.
struct SkipListRecord: FetchableRecord {
    enum Columns {
        static let emailKey = Column("email_key"), reason = Column("reason")
    }

    var emailKey: String
    var reason: String

    init(row: Row) {
        emailKey = row[Columns.emailKey]
        reason = row[Columns.reason]
    }
}

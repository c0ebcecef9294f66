import GRDB
import SimCore

// Rows of the engine's tables, decoded by GRDB through each record's `CodingKeys` (the
// column names), then turned into domain values that reject unknown stored values.

/// A row of `sync`, as stored; ``info()`` turns it into the domain value.
struct SyncRecord: Decodable, FetchableRecord {
    enum CodingKeys: String, CodingKey {
        case id
        case cohortID = "cohort_id"
        case audienceID = "audience_id"
        case mode
        case state
        case reason
        case tagName = "tag_name"
        case tagID = "tag_id"
        case nextRun = "next_run"
        case mergeFields = "merge_fields"
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
struct RunRecord: Decodable, FetchableRecord {
    enum CodingKeys: String, CodingKey {
        case number
        case syncID = "sync_id"
        case trigger
        case started
        case finished
        case outcome
        case error
        case fullReconcile = "full_reconcile"
        case cohortSize = "cohort_size"
        case exported
        case added
        case removed
        case unchanged
        case skipped
        case rejected
        case mailchimpRequests = "mailchimp_requests"
        case mixpanelRequests = "mixpanel_requests"
        case slot
        case slotsSkipped = "slots_skipped"
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
    var slot: Int64?
    var slotsSkipped: Int

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
        report.slot = slot.map(SimTime.init(milliseconds:))
        report.slotsSkipped = slotsSkipped
        return report
    }
}

/// A row of `run_member` (or of a derived no-op list): one member's change in a run.
struct MemberChangeRecord: Decodable, FetchableRecord {
    enum CodingKeys: String, CodingKey {
        case action
        case distinctID = "distinct_id"
        case email
        case reason
    }

    var action: String
    var distinctID: String
    var email: String
    var reason: String

    func change() throws -> MemberChange {
        MemberChange(action: try SyncStore.domainValue(action, column: "run_member.action"), distinctID: distinctID, email: email, reason: reason)
    }
}

/// A row of `pending_run`: a run that started and has not been recorded (yet).
struct PendingRunRecord: Decodable, FetchableRecord {
    enum CodingKeys: String, CodingKey {
        case number
        case syncID = "sync_id"
        case trigger
        case started
        case stage
        case stageAt = "stage_at"
        case mailchimpRequests = "mailchimp_requests"
        case mixpanelRequests = "mixpanel_requests"
    }

    var number: Int64
    var syncID: Int64
    var trigger: String
    var started: Int64
    var stage: String
    var stageAt: Int64
    var mailchimpRequests: Int
    var mixpanelRequests: Int

    func pendingRun() throws -> PendingRun {
        PendingRun(number: number, syncID: syncID, trigger: try SyncStore.domainValue(trigger, column: "pending_run.trigger"),
                   started: SimTime(milliseconds: started), stage: stage, stageAt: SimTime(milliseconds: stageAt),
                   mailchimpRequests: mailchimpRequests, mixpanelRequests: mixpanelRequests)
    }
}

/// A row of `engagement_run`: one engagement import's report.
struct EngagementRunRecord: Decodable, FetchableRecord {
    enum CodingKeys: String, CodingKey {
        case number
        case audienceID = "audience_id"
        case started
        case since
        case until
        case finished
        case outcome
        case error
        case campaigns
        case events
        case imported
        case unattributed
        case refused
        case mailchimpRequests = "mailchimp_requests"
        case mixpanelRequests = "mixpanel_requests"
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
struct SyncEventRecord: Decodable, FetchableRecord {
    enum CodingKeys: String, CodingKey {
        case syncID = "sync_id"
        case at
        case state
        case reason
    }

    var syncID: Int64
    var at: Int64
    var state: String
    var reason: String

    func change() throws -> SyncStateChange {
        SyncStateChange(syncID: syncID, at: SimTime(milliseconds: at), state: try SyncStore.domainValue(state, column: "sync_event.state"), reason: reason)
    }
}

/// A row of `skip_list`: an address the audience refused, and why.
struct SkipListRecord: Decodable, FetchableRecord {
    enum CodingKeys: String, CodingKey {
        case emailKey = "email_key"
        case reason
    }

    var emailKey: String
    var reason: String

}

import Foundation
import SimCore
import Synchronization

/// One run of one sync: read the cohort, diff it against the baseline, write the changes.
struct SyncRun {
    /// Mailchimp's per-call limit for batch subscribe and for segment member changes.
    static let batchLimit = 500
    /// Longest tag name the engine creates: under Amplitude's 88 and the unconfirmed 100 (U11); the
    /// 50-character figure in circulation is from API v2 static segments (2013).
    static let maxTagLength = 80
    /// Writes are read from staging in windows of this many rounds of
    /// ``EngineConfiguration/maxConcurrentRequests`` requests of ``batchLimit`` contacts, and sent
    /// through a sliding pool within a window; at a window's end the pool drains, so more rounds
    /// per window lose less time waiting for a window's slowest request (docs/performance.md,
    /// "Capacity"), at the cost of holding more contacts in memory (4 × 9 × 500 = 18,000).
    static let windowRounds = 4
    /// Profiles staged per SQLite transaction while the cohort is read (ten `/engage` pages).
    static let stagingBatch = 10_000
    /// Statuses of existing contacts the engine never tags nor re-subscribes (compliance skips),
    /// by their Mailchimp names.
    enum ComplianceStatus: String, Sendable, Equatable, CaseIterable {
        case archived, cleaned, unsubscribed
    }

    let sync: SyncInfo
    let configuration: EngineConfiguration
    let mailchimp: MailchimpClient
    let mixpanel: MixpanelClient
    let store: SyncStore
    let clock: any SimClock
    /// Called at each crash point: notes progress, and throws ``SimulatedCrash`` when armed.
    var checkpoint: @Sendable (CrashPoint) throws -> Void = { _ in }

    /// What the run decided, to be recorded by the engine.
    struct Result {
        var report: RunReport
        /// The baseline the run diffed against; `nil` when it did not get that far.
        var baseline: RunStaging.Baseline?
        /// Whether the staged outcome becomes the new snapshot (the run succeeded).
        var commit = false
        var newState: SyncState?
    }

    /// Why an add was not tagged, when it was not.
    enum Refusal: Equatable {
        /// On the skip list from an earlier run (not sent again).
        case remembered(reason: String)
        /// Batch subscribe refused it: forgotten, compliance state, or an invalid contact.
        case refused(title: String, message: String)
        /// It already exists with a status the engine never touches.
        case status(ComplianceStatus)
    }

    /// The tag name for a cohort: trimmed and cut to ``maxTagLength`` characters.
    static func tagName(forCohort name: String) -> String {
        String(name.trimmingWhitespace().prefix(maxTagLength))
    }

    var staging: RunStaging { RunStaging(queue: store.queue) }

    /// Performs the run. Only ``SimulatedCrash`` escapes; every other failure is in the result.
    func perform(into report: RunReport) async throws -> Result {
        var report = report
        var baseline: RunStaging.Baseline?
        do {
            guard try await readCohort(into: &report) else {
                return Result(report: report, newState: .stopped(reason: "cohort deleted"))
            }
            try checkpoint(.afterCohortRead)
            let (tagID, tagIsNew) = try await ensureTag()
            let chosen = try await stageBaseline(tagID: tagID, tagIsNew: tagIsNew, report: &report)
            try staging.plan(against: chosen, skipListOf: report.fullReconcile ? nil : sync.audienceID)
            baseline = chosen
            try await createContacts()
            try checkpoint(.afterContactsCreated)
            try await updateTag(tagID)
            try checkpoint(.afterTagUpdate)
            try Self.count(staging.counts(), into: &report)
            return Result(report: report, baseline: chosen, commit: true)
        } catch let crash as SimulatedCrash {
            throw crash
        } catch let ended as SyncEndedDuringRun {
            report.outcome = .cancelled
            report.error = ended.description
            return Result(report: report, baseline: baseline)
        } catch let failure as APIFailure {
            report.outcome = failure.isFatal ? .paused : .failed
            report.error = failure.description
            return Result(report: report, baseline: baseline, newState: failure.isFatal ? .paused(reason: failure.description) : nil)
        } catch {
            report.outcome = .failed
            report.error = "\(error)"
            return Result(report: report, baseline: baseline)
        }
    }

    /// Streams the cohort's members into the staging tables (`false` when the cohort no longer
    /// exists) and counts the ineligible ones as skipped.
    func readCohort(into report: inout RunReport) async throws -> Bool {
        try staging.reset()
        let cohorts = try await mixpanel.cohorts()
        guard let cohort = cohorts[sync.cohortID] else {
            report.outcome = .failed
            report.error = "cohort \(sync.cohortID) no longer exists"
            return false
        }
        let limit = configuration.maxCohortSize
        if let count = cohort.count, count > limit {
            report.cohortSize = count
            throw Self.tooLarge(sync.cohortID, size: "has \(count) users", limit: limit)
        }
        let staging = staging
        // Pages are staged ten at a time (one SQLite transaction per 10,000 profiles), on the
        // database's queue while the next ten pages are read.
        let failures = StagingFailures()
        var pending: [EngageProfile] = []
        var read = 0
        let cohortID = sync.cohortID
        report.cohortSize = try await mixpanel.forEachCohortPage(sync.cohortID) { page in
            read += page.count
            // The listing's count may be stale or absent: the profiles read are the proof.
            if read > limit { throw Self.tooLarge(cohortID, size: "has more than \(limit) users", limit: limit) }
            pending += page
            if pending.count >= Self.stagingBatch {
                try staging.addInBackground(pending, failures)
                pending.removeAll(keepingCapacity: true)
            }
        }
        try staging.addInBackground(pending, failures)
        try staging.finishAdding(failures)
        report.skipped = try staging.skipCounts()
        return true
    }

    /// A49: a cohort over the export limit fails its run, before anything is written.
    static func tooLarge(_ cohortID: Int64, size: String, limit: Int) -> EngineError {
        EngineError("cohort \(cohortID) \(size), over the \(limit) a cohort export may have (A49); nothing was sent and the snapshot is kept")
    }

    /// The stored tag id, or the audience's tag of that name, or a new tag.
    private func ensureTag() async throws -> (Int64, Bool) {
        if let id = sync.tagID { return (id, false) }
        if let id = try await mailchimp.findTag(list: sync.audienceID, name: sync.tagName) {
            try store.setTag(sync: sync.id, tagID: id, name: sync.tagName)
            return (id, false)
        }
        let id = try await mailchimp.createTag(list: sync.audienceID, name: sync.tagName)
        try store.setTag(sync: sync.id, tagID: id, name: sync.tagName)
        return (id, true)
    }

    /// The last successful snapshot while it is fresh; otherwise who carries the tag on Mailchimp
    /// (nobody when `tagID` is `nil`: a preview of a tag that does not exist yet), staged.
    func stageBaseline(tagID: Int64?, tagIsNew: Bool, report: inout RunReport) async throws -> RunStaging.Baseline {
        // A resumed sync reconciles in full: Mailchimp may have changed while it was paused.
        if report.trigger != .resume, let takenAt = try store.snapshotTime(cohortID: sync.cohortID, audienceID: sync.audienceID),
           clock.now.duration(since: takenAt) <= configuration.snapshotLifetime, !tagIsNew {
            return .snapshot(cohortID: sync.cohortID, audienceID: sync.audienceID)
        }
        report.fullReconcile = true
        guard let tagID, !tagIsNew else { return .staged }
        let staging = staging
        try await mailchimp.forEachTaggedPage(list: sync.audienceID, tag: tagID) { try staging.stageBaseline($0) }
        return .staged
    }

    /// Batch-subscribes the adds, 500 per call and at most ``EngineConfiguration/maxConcurrentRequests``
    /// calls at a time, and stages the refusals: Mailchimp's, and existing contacts with a status
    /// the engine never tags (from the reply, or read afterwards with ``ExistingContactHandling/listStatuses``).
    private func createContacts() async throws {
        let mergeTags = try await mergeFieldTags()
        let statusIfNew = configuration.statusIfNew
        let updateExisting = configuration.existingContacts == .updateExisting
        let client = mailchimp
        let list = sync.audienceID
        let window = Self.batchLimit * configuration.maxConcurrentRequests * Self.windowRounds
        var last = ""
        while true {
            let contacts = try staging.adds(after: last, limit: window)
            guard let final = contacts.last else { break }
            last = final.key
            // With update_existing the merge fields would overwrite those of contacts the sync did
            // not create: they are sent afterwards, to the contacts the call created only. A
            // per-member refusal of that second call leaves the contact without its names; it is
            // still tagged (only a failure of the call itself fails the run).
            let chunks = contacts.chunked(Self.batchLimit).map { chunk in
                chunk.map { Self.member($0, statusIfNew: statusIfNew, mergeTags: updateExisting ? [] : mergeTags) }
            }
            let results = try await concurrentMap(chunks, limit: configuration.maxConcurrentRequests) { members in
                try await client.batchSubscribe(list: list, members: members, updateExisting: updateExisting)
            }
            if updateExisting, !mergeTags.isEmpty {
                let created = Set(results.flatMap(\.created))
                let named = contacts.filter { created.contains($0.key) }
                    .map { Self.member($0, statusIfNew: statusIfNew, mergeTags: mergeTags) }
                    .filter { $0["merge_fields"]?.objectValue?.isEmpty == false }
                _ = try await concurrentMap(named.chunked(Self.batchLimit), limit: configuration.maxConcurrentRequests) { members in
                    try await client.batchSubscribe(list: list, members: members, updateExisting: true)
                }
            }
            var refusals: [String: Refusal] = [:]
            for result in results {
                for (key, failure) in result.failures { refusals[key] = .refused(title: failure.title, message: failure.message) }
                for (key, status) in result.existing {
                    if let status = status.flatMap(ComplianceStatus.init(rawValue:)) { refusals[key] = .status(status) }
                }
            }
            try staging.refuse(refusals)
            if !updateExisting { try staging.markExisting(results.flatMap(\.existing.keys).sorted()) }
        }
        if !updateExisting { try await stageComplianceStatuses(includeNew: false) }
    }

    /// A batch-subscribe member: the address, `status_if_new`, and the names the audience has
    /// merge tags for (none when `mergeTags` is empty).
    static func member(_ contact: RunStaging.Contact, statusIfNew: String, mergeTags: Set<String>) -> JSONValue {
        var merge: [String: JSONValue] = [:]
        if let first = contact.firstName, mergeTags.contains("FNAME") { merge["FNAME"] = .string(first) }
        if let last = contact.lastName, mergeTags.contains("LNAME") { merge["LNAME"] = .string(last) }
        return ["email_address": .string(contact.email), "status_if_new": .string(statusIfNew), "merge_fields": .object(merge)]
    }

    /// The audience's merge tags when some add has a first or last name: the sync's cached copy,
    /// else one `GET /lists/{id}/merge-fields`, cached in the sync row.
    private func mergeFieldTags() async throws -> Set<String> {
        guard try staging.addsHaveNames() else { return [] }
        if let cached = sync.mergeFields { return Set(cached) }
        let tags = try await mailchimp.mergeFieldTags(list: sync.audienceID)
        try store.setMergeFields(sync: sync.id, tags)
        return Set(tags)
    }

    /// Stages which existing adds (every add not remembered, with `includeNew`) are
    /// unsubscribed, cleaned or archived. Up to ``EngineConfiguration/statusLookupLimit``
    /// addresses are read one by one; above it, the audience's members with those statuses are
    /// listed, a page at a time.
    func stageComplianceStatuses(includeNew: Bool) async throws {
        let staging = staging
        let count = try staging.existingCount(includeNew: includeNew)
        guard count > 0 else { return }
        if count <= configuration.statusLookupLimit {
            let emails = try staging.existingKeys(includeNew: includeNew)
            let statuses = try await mailchimp.statuses(list: sync.audienceID, emails: emails, limit: configuration.maxConcurrentRequests)
            var refusals: [String: Refusal] = [:]
            for (key, status) in statuses {
                if let status = status.flatMap(ComplianceStatus.init(rawValue:)) { refusals[key] = .status(status) }
            }
            try staging.refuse(refusals)
            return
        }
        let client = mailchimp
        let list = sync.audienceID
        _ = try await concurrentMap(ComplianceStatus.allCases, limit: configuration.maxConcurrentRequests) { status in
            try await client.forEachEmailPage(list: list, status: status.rawValue) { keys in
                let found = try staging.existingAmong(keys, includeNew: includeNew)
                try staging.refuse(Dictionary(found.map { ($0, Refusal.status(status)) }, uniquingKeysWith: { a, _ in a }))
            }
        }
    }

    /// Tags the accepted adds and untags the members who left, pairing ≤500 of each per call.
    private func updateTag(_ tagID: Int64) async throws {
        let client = mailchimp
        let list = sync.audienceID
        let window = Self.batchLimit * configuration.maxConcurrentRequests * Self.windowRounds
        var lastAdd = ""
        var lastRemove = ""
        while true {
            let adds = try staging.adds(after: lastAdd, limit: window)
            let removes = try staging.removes(after: lastRemove, limit: window)
            guard !adds.isEmpty || !removes.isEmpty else { return }
            lastAdd = adds.last?.key ?? lastAdd
            lastRemove = removes.last?.key ?? lastRemove
            let addChunks = adds.map(\.email).chunked(Self.batchLimit)
            let removeChunks = removes.map(\.email).chunked(Self.batchLimit)
            let pairs = (0..<max(addChunks.count, removeChunks.count)).map { i in
                (i < addChunks.count ? addChunks[i] : [], i < removeChunks.count ? removeChunks[i] : [])
            }
            _ = try await concurrentMap(pairs, limit: configuration.maxConcurrentRequests) { pair in
                try await client.updateTag(list: list, tag: tagID, add: pair.0, remove: pair.1)
            }
        }
    }

    /// Copies the staged counts into the report.
    static func count(_ counts: RunStaging.Counts, into report: inout RunReport) {
        report.added = counts.added
        report.unchanged = counts.unchanged
        report.removed = counts.removed
        report.exported = counts.added + counts.unchanged
        report.skipped = counts.skipped
        report.rejected = counts.rejected
    }

    /// Skip reason and per-member reason for a refusal; `nil` reason key means a rejection.
    static func describe(_ refusal: Refusal) -> (skipKey: String?, rejectKey: String?, reason: String) {
        switch refusal {
        case .remembered(let reason):
            (reason, nil, reason + " (skip list)")
        case .status(let status):
            ("compliance: \(status.rawValue)", nil, "compliance: \(status.rawValue) (existing contact, never re-subscribed)")
        case .refused(let title, let message):
            title == "Invalid Resource" ? (nil, title, "\(title): \(message)") : ("compliance: \(title)", nil, "\(title): \(message)")
        }
    }
}

extension APIFailure {
    var isFatal: Bool { if case .fatal = self { return true }; return false }
}

/// Thrown before a Mailchimp or Mixpanel request of a run whose sync ended while the run was
/// under way.
struct SyncEndedDuringRun: Error, CustomStringConvertible {
    var state: SyncState

    var description: String { "the sync became \(state) during the run; nothing more was sent to Mailchimp or Mixpanel" }
}

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
    /// Statuses of existing contacts the engine never tags nor re-subscribes (compliance skips).
    static let complianceStatuses = ["archived", "cleaned", "unsubscribed"]

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
        var snapshot: [String: SnapshotMember]?
        var newState: SyncState?
        var skipList = SkipListChanges()
    }

    /// Why an add was not tagged, when it was not.
    enum Refusal: Equatable {
        /// On the skip list from an earlier run (not sent again).
        case remembered(reason: String)
        /// Batch subscribe refused it: forgotten, compliance state, or an invalid contact.
        case refused(title: String, message: String)
        /// It already exists with a status the engine never touches.
        case status(String)
    }

    /// The tag name for a cohort: trimmed and cut to ``maxTagLength`` characters.
    static func tagName(forCohort name: String) -> String {
        String(name.trimmingWhitespace().prefix(maxTagLength))
    }

    /// Performs the run. Only ``SimulatedCrash`` escapes; every other failure is in the result.
    func perform(into report: RunReport) async throws -> Result {
        var report = report
        do {
            guard let candidates = try await readCohort(into: &report) else {
                return Result(report: report, snapshot: nil, newState: .stopped(reason: "cohort deleted"))
            }
            try checkpoint(.afterCohortRead)
            let (tagID, tagIsNew) = try await ensureTag()
            let baseline = try await baseline(tagID: tagID, tagIsNew: tagIsNew, report: &report)
            let plan = SyncPlan(candidates: candidates, baseline: baseline)
            let skipList = try store.skipList(audienceID: sync.audienceID)
            var refusals = report.fullReconcile ? [:] : Self.remembered(plan.adds, skipList: skipList)
            let toCreate = plan.adds.filter { refusals[$0.key] == nil }
            refusals.merge(try await createContacts(toCreate)) { a, _ in a }
            try checkpoint(.afterContactsCreated)
            let tagged = plan.adds.filter { refusals[$0.key] == nil }
            try await updateTag(tagID, add: tagged.map(\.email), remove: plan.removes.map(\.member.email))
            try checkpoint(.afterTagUpdate)
            Self.record(plan: plan, refusals: refusals, into: &report)
            var snapshot: [String: SnapshotMember] = [:]
            for candidate in plan.unchanged + tagged {
                snapshot[candidate.key] = SnapshotMember(email: candidate.email, distinctID: candidate.distinctID,
                                                         mixpanelID: candidate.mixpanelID)
            }
            let changes = Self.skipListChanges(plan: plan, refusals: refusals, tagged: tagged, skipList: skipList)
            return Result(report: report, snapshot: snapshot, newState: nil, skipList: changes)
        } catch let crash as SimulatedCrash {
            throw crash
        } catch let failure as APIFailure {
            report.outcome = failure.isFatal ? .paused : .failed
            report.error = failure.description
            return Result(report: report, snapshot: nil, newState: failure.isFatal ? .paused(reason: failure.description) : nil)
        } catch {
            report.outcome = .failed
            report.error = "\(error)"
            return Result(report: report, snapshot: nil, newState: nil)
        }
    }

    /// Reads the cohort's eligible members (`nil` when the cohort no longer exists) and records
    /// the ineligible ones as skipped.
    func readCohort(into report: inout RunReport) async throws -> [ExportCandidate]? {
        let cohorts = try await mixpanel.cohorts()
        guard cohorts[sync.cohortID] != nil else {
            report.outcome = .failed
            report.error = "cohort \(sync.cohortID) no longer exists"
            return nil
        }
        let profiles = try await mixpanel.cohortMembers(sync.cohortID)
        report.cohortSize = profiles.count
        let (candidates, skipped) = Eligibility.partition(profiles)
        report.changes += skipped
        for skip in skipped { report.skipped[skip.reason, default: 0] += 1 }
        return candidates
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
    /// (nobody when `tagID` is `nil`: a preview of a tag that does not exist yet).
    func baseline(tagID: Int64?, tagIsNew: Bool, report: inout RunReport) async throws -> [String: SnapshotMember] {
        if let snapshot = try store.snapshot(cohortID: sync.cohortID, audienceID: sync.audienceID),
           clock.now.duration(since: snapshot.takenAt) <= configuration.snapshotLifetime, !tagIsNew {
            return snapshot.members
        }
        report.fullReconcile = true
        guard let tagID, !tagIsNew else { return [:] }
        let emails = try await mailchimp.taggedEmails(list: sync.audienceID, tag: tagID)
        return Dictionary(emails.map { ($0.lowercased(), SnapshotMember(email: $0, distinctID: "")) }, uniquingKeysWith: { a, _ in a })
    }

    /// Adds on the audience's skip list, which are not sent again until a full reconcile.
    static func remembered(_ adds: [ExportCandidate], skipList: [String: String]) -> [String: Refusal] {
        var result: [String: Refusal] = [:]
        for add in adds { if let reason = skipList[add.key] { result[add.key] = .remembered(reason: reason) } }
        return result
    }

    /// Batch-subscribes new candidates, then reads the status of those that already existed.
    /// Returns the contacts that must not be tagged, by lower-cased address.
    private func createContacts(_ adds: [ExportCandidate]) async throws -> [String: Refusal] {
        guard !adds.isEmpty else { return [:] }
        let mergeTags = try await mergeFieldTags(for: adds)
        let statusIfNew = configuration.statusIfNew
        let chunks = adds.chunked(Self.batchLimit).map { chunk in
            chunk.map { candidate -> JSONValue in
                var merge: [String: JSONValue] = [:]
                if let first = candidate.firstName, mergeTags.contains("FNAME") { merge["FNAME"] = .string(first) }
                if let last = candidate.lastName, mergeTags.contains("LNAME") { merge["LNAME"] = .string(last) }
                return ["email_address": .string(candidate.email), "status_if_new": .string(statusIfNew), "merge_fields": .object(merge)]
            }
        }
        let client = mailchimp
        let list = sync.audienceID
        let results = try await concurrentMap(chunks, limit: configuration.maxConcurrentRequests) { members in
            try await client.batchSubscribe(list: list, members: members)
        }
        var refusals: [String: Refusal] = [:]
        for result in results {
            for (key, failure) in result.failures { refusals[key] = .refused(title: failure.title, message: failure.message) }
        }
        let existing = results.flatMap(\.existing)
        for (key, status) in try await complianceStatuses(of: existing) { refusals[key] = .status(status) }
        return refusals
    }

    /// The audience's merge tags when some add has a first or last name: the sync's cached copy,
    /// else one `GET /lists/{id}/merge-fields`, cached in the sync row.
    private func mergeFieldTags(for adds: [ExportCandidate]) async throws -> Set<String> {
        guard adds.contains(where: { $0.firstName != nil || $0.lastName != nil }) else { return [] }
        if let cached = sync.mergeFields { return Set(cached) }
        let tags = try await mailchimp.mergeFieldTags(list: sync.audienceID)
        try store.setMergeFields(sync: sync.id, tags)
        return Set(tags)
    }

    /// Which of `emails` (existing contacts) are unsubscribed, cleaned or archived: lower-cased
    /// address → status. Up to ``EngineConfiguration/statusLookupLimit`` addresses are read one by
    /// one; above it, the audience's members with those statuses are listed.
    func complianceStatuses(of emails: [String]) async throws -> [String: String] {
        guard !emails.isEmpty else { return [:] }
        var result: [String: String] = [:]
        if emails.count <= configuration.statusLookupLimit {
            let statuses = try await mailchimp.statuses(list: sync.audienceID, emails: emails, limit: configuration.maxConcurrentRequests)
            for (key, status) in statuses {
                if let status, Self.complianceStatuses.contains(status) { result[key] = status }
            }
            return result
        }
        let wanted = Set(emails.map { $0.lowercased() })
        let client = mailchimp
        let list = sync.audienceID
        let listings = try await concurrentMap(Self.complianceStatuses, limit: configuration.maxConcurrentRequests) { status in
            try await client.emails(list: list, status: status)
        }
        for (status, keys) in zip(Self.complianceStatuses, listings) {
            for key in keys where wanted.contains(key) { result[key] = status }
        }
        return result
    }

    private func updateTag(_ tagID: Int64, add: [String], remove: [String]) async throws {
        let addChunks = add.chunked(Self.batchLimit)
        let removeChunks = remove.chunked(Self.batchLimit)
        let pairs = (0..<max(addChunks.count, removeChunks.count)).map { i in
            (i < addChunks.count ? addChunks[i] : [], i < removeChunks.count ? removeChunks[i] : [])
        }
        let client = mailchimp
        let list = sync.audienceID
        _ = try await concurrentMap(pairs, limit: configuration.maxConcurrentRequests) { pair in
            try await client.updateTag(list: list, tag: tagID, add: pair.0, remove: pair.1)
        }
    }

    /// Skip reason and per-member reason for a refusal; `nil` reason key means a rejection.
    static func describe(_ refusal: Refusal) -> (skipKey: String?, rejectKey: String?, reason: String) {
        switch refusal {
        case .remembered(let reason):
            (reason, nil, reason + " (skip list)")
        case .status(let status):
            ("compliance: \(status)", nil, "compliance: \(status) (existing contact, never re-subscribed)")
        case .refused(let title, let message):
            title == "Invalid Resource" ? (nil, title, "\(title): \(message)") : ("compliance: \(title)", nil, "\(title): \(message)")
        }
    }

    static func record(plan: SyncPlan, refusals: [String: Refusal], into report: inout RunReport) {
        for candidate in plan.adds {
            if let refusal = refusals[candidate.key] {
                let (skipKey, rejectKey, reason) = describe(refusal)
                report.changes.append(MemberChange(action: skipKey != nil ? .skip : .reject, distinctID: candidate.distinctID,
                                                   email: candidate.email, reason: reason))
                if let skipKey { report.skipped[skipKey, default: 0] += 1 }
                if let rejectKey { report.rejected[rejectKey, default: 0] += 1 }
            } else {
                report.changes.append(MemberChange(action: .add, distinctID: candidate.distinctID, email: candidate.email))
                report.added += 1
            }
        }
        for candidate in plan.unchanged {
            report.changes.append(MemberChange(action: .noop, distinctID: candidate.distinctID, email: candidate.email))
        }
        for remove in plan.removes {
            report.changes.append(MemberChange(action: .remove, distinctID: remove.member.distinctID, email: remove.member.email))
        }
        report.unchanged = plan.unchanged.count
        report.removed = plan.removes.count
        report.exported = report.added + report.unchanged
    }

    /// New compliance skips join the skip list; contacts tagged now leave it.
    static func skipListChanges(plan: SyncPlan, refusals: [String: Refusal], tagged: [ExportCandidate],
                                skipList: [String: String]) -> SkipListChanges {
        var changes = SkipListChanges()
        for candidate in plan.adds {
            guard let refusal = refusals[candidate.key] else { continue }
            if case .remembered = refusal { continue }
            if let skipKey = describe(refusal).skipKey { changes.additions.append(.init(email: candidate.email, reason: skipKey)) }
        }
        changes.removals = tagged.map(\.key).filter { skipList[$0] != nil }
        return changes
    }
}

extension APIFailure {
    var isFatal: Bool { if case .fatal = self { return true }; return false }
}

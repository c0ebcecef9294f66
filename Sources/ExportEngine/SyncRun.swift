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

    let sync: SyncInfo
    let configuration: EngineConfiguration
    let mailchimp: MailchimpClient
    let mixpanel: MixpanelClient
    let store: SyncStore
    let clock: any SimClock

    /// What the run decided, to be recorded by the engine.
    struct Result {
        var report: RunReport
        var snapshot: [String: SnapshotMember]?
        var newState: SyncState?
    }

    /// The tag name for a cohort: trimmed and cut to ``maxTagLength`` characters.
    static func tagName(forCohort name: String) -> String {
        String(name.trimmingWhitespace().prefix(maxTagLength))
    }

    func perform(into report: RunReport) async -> Result {
        var report = report
        do {
            let cohorts = try await mixpanel.cohorts()
            guard cohorts[sync.cohortID] != nil else {
                report.outcome = .failed
                report.error = "cohort \(sync.cohortID) no longer exists"
                return Result(report: report, snapshot: nil, newState: .stopped(reason: "cohort deleted"))
            }
            let profiles = try await mixpanel.cohortMembers(sync.cohortID)
            report.cohortSize = profiles.count
            let (candidates, skipped) = Eligibility.partition(profiles)
            report.changes += skipped
            for skip in skipped { report.skipped[skip.reason, default: 0] += 1 }
            let (tagID, tagIsNew) = try await ensureTag()
            let baseline = try await baseline(tagID: tagID, tagIsNew: tagIsNew, report: &report)
            let plan = SyncPlan(candidates: candidates, baseline: baseline)
            let failures = try await createContacts(plan.adds)
            let tagged = plan.adds.filter { failures[$0.key] == nil }
            try await updateTag(tagID, add: tagged.map(\.email), remove: plan.removes.map(\.member.email))
            record(plan: plan, failures: failures, into: &report)
            var snapshot: [String: SnapshotMember] = [:]
            for candidate in plan.unchanged + tagged {
                snapshot[candidate.key] = SnapshotMember(email: candidate.email, distinctID: candidate.distinctID)
            }
            return Result(report: report, snapshot: snapshot, newState: nil)
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

    /// The last successful snapshot while it is fresh; otherwise who carries the tag on Mailchimp.
    private func baseline(tagID: Int64, tagIsNew: Bool, report: inout RunReport) async throws -> [String: SnapshotMember] {
        if let snapshot = try store.snapshot(cohortID: sync.cohortID, audienceID: sync.audienceID),
           clock.now.duration(since: snapshot.takenAt) <= configuration.snapshotLifetime, !tagIsNew {
            return snapshot.members
        }
        report.fullReconcile = true
        if tagIsNew { return [:] }
        let emails = try await mailchimp.taggedEmails(list: sync.audienceID, tag: tagID)
        return Dictionary(emails.map { ($0.lowercased(), SnapshotMember(email: $0, distinctID: "")) }, uniquingKeysWith: { a, _ in a })
    }

    /// Batch-subscribes new candidates; returns lower-cased email → (title, message) for those refused.
    private func createContacts(_ adds: [ExportCandidate]) async throws -> [String: (title: String, message: String)] {
        let statusIfNew = configuration.statusIfNew
        let chunks = adds.chunked(Self.batchLimit).map { chunk in
            chunk.map { candidate -> JSONValue in
                var merge: [String: JSONValue] = [:]
                if let first = candidate.firstName { merge["FNAME"] = .string(first) }
                if let last = candidate.lastName { merge["LNAME"] = .string(last) }
                return ["email_address": .string(candidate.email), "status_if_new": .string(statusIfNew), "merge_fields": .object(merge)]
            }
        }
        let client = mailchimp
        let list = sync.audienceID
        let results = try await concurrentMap(chunks, limit: configuration.maxConcurrentRequests) { members in
            try await client.batchSubscribe(list: list, members: members)
        }
        var failures: [String: (title: String, message: String)] = [:]
        for result in results { failures.merge(result.failures) { a, _ in a } }
        return failures
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

    private func record(plan: SyncPlan, failures: [String: (title: String, message: String)], into report: inout RunReport) {
        for candidate in plan.adds {
            if let failure = failures[candidate.key] {
                let compliance = failure.title != "Invalid Resource"
                report.changes.append(MemberChange(action: compliance ? .skip : .reject, distinctID: candidate.distinctID,
                                                   email: candidate.email, reason: "\(failure.title): \(failure.message)"))
                if compliance { report.skipped["compliance: \(failure.title)", default: 0] += 1 } else { report.rejected[failure.title, default: 0] += 1 }
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
}

extension APIFailure {
    var isFatal: Bool { if case .fatal = self { return true }; return false }
}

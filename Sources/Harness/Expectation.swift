import ExportEngine
import FakeMailchimp
import SimCore

/// An inline fact a scenario states at one point of its timeline, checked in addition to the
/// golden so the scenario's intent survives a careless golden update.
public enum Expectation: Sendable, Equatable {
    /// A contact's state in an audience. `tags` is the exact tag set; `hasTags`/`lacksTags` are
    /// partial; `mergeFields` lists only the fields checked.
    case member(audience: String, email: String, status: String?, tags: [String]?, hasTags: [String], lacksTags: [String],
                mergeFields: [String: JSONValue], absent: Bool)
    /// How many contacts carry a tag.
    case tagCount(audience: String, tag: String, count: Int)
    /// Facts about a recorded run (1-based number, in order of completion).
    case run(RunFacts)
    /// The state of the latest sync of a cohort to an audience: `Active`, `Paused`, `Stopped` or `Finished`.
    case sync(cohort: String, audience: String, state: String)
    /// Total number of runs recorded so far.
    case runCount(Int)
    /// The fake Mixpanel's monthly tracked users for one month (`YYYY-MM`).
    case mtu(month: String, users: Int?, billable: Int?)
    /// How many requests the engine has made that match, so far.
    case requests(RequestFacts)
    /// The engine's stored snapshot of a cohort → audience pair.
    case snapshot(SnapshotFacts)

    /// What a `run` expectation checks: the run's number, and each fact given.
    public struct RunFacts: Sendable, Equatable {
        public var number: Int64
        public var outcome: String?
        public var added: Int?
        public var removed: Int?
        public var exported: Int?
        /// Slots of its sync that came while the run was under way.
        public var slotsSkipped: Int?
        /// Whether the run started after its slot.
        public var late: Bool?
        /// Bounds on how long the run took, in virtual time.
        public var lastedAtLeast: SimDuration?
        public var lastedAtMost: SimDuration?
        /// Contacts skipped / rejected by reason; only the reasons listed are checked (0: none).
        public var skipped: [String: Int] = [:]
        public var rejected: [String: Int] = [:]
    }

    /// What a `requests` expectation matches and how many it expects.
    public struct RequestFacts: Sendable, Equatable {
        /// `mailchimp` or `mixpanel`; `nil` for both.
        public var service: String?
        public var method: String?
        /// A path pattern as in `faults` (`*` one segment, a trailing `/**` any rest).
        public var path: String?
        /// Sent at or after / before these times.
        public var after: SimTime?
        public var before: SimTime?
        /// Fields the JSON request body must hold, by dotted path (`operations.0.method`).
        public var body: [String: JSONValue]?
        public var count: Int?
        public var atLeast: Int?
        public var atMost: Int?
    }

    /// What a `snapshot` expectation checks.
    public struct SnapshotFacts: Sendable, Equatable {
        public var cohort: String
        public var audience: String
        /// `true`: no snapshot has been taken.
        public var absent: Bool
        public var count: Int?
        /// Addresses it must hold / must not hold (compared lower-cased).
        public var contains: [String]
        public var lacks: [String]
    }

    /// The keys an `expect:` step accepts, each naming one kind.
    static let kinds = ["member", "tag", "run", "sync", "runs", "mtu", "requests", "snapshot"]
}

extension World {
    /// Checks one expectation; returns a description of what differs, or `nil` when it holds.
    func check(_ expectation: Expectation) async throws -> String? {
        switch expectation {
        case .member(let audience, let email, let status, let tags, let hasTags, let lacksTags, let mergeFields, let absent):
            let dump = try mailchimp.dump().first { $0.name == audience || $0.id == audience }
            guard let dump else { return "no audience '\(audience)'" }
            let member = dump.members.first { $0.email.lowercased() == email.lowercased() }
            if absent { return member == nil ? nil : "\(email) is on \(audience) (\(member!.status)) but should be absent" }
            guard let member else { return "\(email) is not on \(audience)" }
            if let status, member.status != status { return "\(email) has status \(member.status), expected \(status)" }
            let actual = Set(member.tags.map { $0.lowercased() })
            if let tags, actual != Set(tags.map { $0.lowercased() }) {
                return "\(email) has tags [\(member.tags.joined(separator: ", "))], expected [\(tags.joined(separator: ", "))]"
            }
            if let missing = hasTags.first(where: { !actual.contains($0.lowercased()) }) { return "\(email) lacks tag '\(missing)'" }
            if let extra = lacksTags.first(where: { actual.contains($0.lowercased()) }) { return "\(email) has tag '\(extra)', expected it absent" }
            for (tag, value) in mergeFields.sorted(by: { $0.key < $1.key }) where member.mergeFields[tag] != value {
                let have = member.mergeFields[tag].map { $0.canonicalText } ?? "nothing"
                return "\(email) has merge field \(tag) = \(have), expected \(value.canonicalText)"
            }
            return nil
        case .tagCount(let audience, let tag, let count):
            guard let dump = try mailchimp.dump().first(where: { $0.name == audience || $0.id == audience }) else { return "no audience '\(audience)'" }
            let actual = dump.tags.first { $0.name.lowercased() == tag.lowercased() }?.members ?? 0
            return actual == count ? nil : "tag '\(tag)' is on \(actual) contact(s), expected \(count)"
        case .run(let facts):
            let number = facts.number
            guard let run = try await engine.runs().first(where: { $0.number == number }) else { return "run \(number) has not happened" }
            if let outcome = facts.outcome, run.outcome.rawValue != outcome { return "run \(number) \(run.outcome.rawValue), expected \(outcome)" }
            if let added = facts.added, run.added != added { return "run \(number) added \(run.added), expected \(added)" }
            if let removed = facts.removed, run.removed != removed { return "run \(number) removed \(run.removed), expected \(removed)" }
            if let exported = facts.exported, run.exported != exported { return "run \(number) exported \(run.exported), expected \(exported)" }
            if let skipped = facts.slotsSkipped, run.slotsSkipped != skipped {
                return "run \(number) skipped \(run.slotsSkipped) slot(s), expected \(skipped)"
            }
            if let late = facts.late, (run.lateBy.milliseconds > 0) != late {
                return late ? "run \(number) started on time, expected late" : "run \(number) started late by \(run.lateBy), expected on time"
            }
            let lasted = run.finished.duration(since: run.started)
            if let least = facts.lastedAtLeast, lasted < least { return "run \(number) lasted \(lasted), expected at least \(least)" }
            if let most = facts.lastedAtMost, most < lasted { return "run \(number) lasted \(lasted), expected at most \(most)" }
            return Expectation.byReason("run \(number) skipped", actual: run.skipped, expected: facts.skipped)
                ?? Expectation.byReason("run \(number) rejected", actual: run.rejected, expected: facts.rejected)
        case .sync(let cohort, let audience, let state):
            let cohortID = try resolveCohort(cohort, allowDeleted: true).0
            let audienceID = try resolveAudience(audience)
            guard let sync = try await engine.syncs().last(where: { $0.cohortID == cohortID && $0.audienceID == audienceID }) else {
                return "no sync of cohort \(cohort) to \(audience)"
            }
            return "\(sync.state)".hasPrefix(state) ? nil : "sync \(sync.id) is \(sync.state), expected \(state)"
        case .runCount(let count):
            let actual = try await engine.runs().count
            return actual == count ? nil : "\(actual) run(s) recorded, expected \(count)"
        case .mtu(let month, let users, let billable):
            let report = try mixpanel.mtu(month: month)
            if let users, report.count != users { return "mtu \(month): \(report.count) user(s), expected \(users)" }
            if let billable, report.billable != billable { return "mtu \(month): \(report.billable) billable, expected \(billable)" }
            return nil
        case .requests(let facts):
            return check(facts)
        case .snapshot(let facts):
            return try await check(facts)
        }
    }
}

import ExportEngine
import FakeMailchimp
import SimCore
import SimHTTP

/// Renders a scenario's outcome as a canonical, reviewable text document: one fact per line,
/// stable order, no secrets.
struct OutcomeRenderer {
    let scenario: Scenario
    let timeline: [String]
    let audiences: [AudienceDump]
    let syncs: [SyncInfo]
    /// Every sync state change, oldest first.
    var stateChanges: [SyncStateChange] = []
    let runs: [RunReport]
    let journal: [JournalEntry]
    /// One line per cohort, e.g. `cohort 601 "Recent Buyers": 2 members: dana, $device:4f1c`.
    let cohorts: [String]
    /// Events from Mailchimp and MTU, when the scenario has events.
    var mixpanel: [String] = []

    func render() throws -> String {
        var lines: [String] = [
            "# CohortSim outcome of \(scenario.id) — generated; review every change.",
            "scenario: \(scenario.name)",
            "seed: \(scenario.seed)",
            "",
            "== timeline",
        ]
        lines += timeline
        lines += ["", "== mixpanel cohorts (membership at the end, profiles or not)"]
        lines += cohorts
        if !mixpanel.isEmpty { lines += ["", "== mixpanel events and MTU"] + mixpanel }
        lines += ["", "== mailchimp"]
        for audience in audiences {
            lines.append("audience \"\(audience.name)\" (\(audience.id)): \(audience.members.count) contact" + (audience.members.count == 1 ? "" : "s"))
            let memberLines = audience.members.map { member in
                "  \(member.email) \(member.status)" + (member.tags.isEmpty ? "" : " tags=[\(member.tags.joined(separator: ", "))]")
            }
            lines += Self.abbreviated(memberLines, what: "contacts")
            for tag in audience.tags { lines.append("  tag \"\(tag.name)\": \(tag.members) contact" + (tag.members == 1 ? "" : "s")) }
        }
        lines += ["", "== syncs"]
        for sync in syncs {
            lines.append("sync \(sync.id): cohort \(sync.cohortID) -> audience \(sync.audienceID), \(sync.mode.rawValue), tag \"\(sync.tagName)\", state \(sync.state)"
                         + (sync.nextRun.map { ", next run \($0)" } ?? ""))
        }
        lines += ["", "== sync state changes"]
        for change in stateChanges {
            lines.append("\(change.at) sync \(change.syncID): \(change.state.rawValue)" + (change.reason.isEmpty ? "" : " (\(change.reason))"))
        }
        lines += ["", "== runs"]
        for run in runs { lines += render(run) }
        lines += ["", "== limits (peaks over the scenario)"] + LimitUsage(journal: journal).lines
        lines += ["", "== requests"]
        lines += journal.map(\.line)
        return lines.joined(separator: "\n") + "\n"
    }

    private func render(_ run: RunReport) -> [String] {
        var lines = ["run \(run.number): sync \(run.syncID), \(run.trigger), \(run.started) -> \(run.finished), \(run.outcome.rawValue)"
                     + (run.fullReconcile ? ", full reconcile" : "") + (run.scheduleNote.isEmpty ? "" : ", " + run.scheduleNote)]
        if !run.error.isEmpty { lines.append("  error: \(run.error)") }
        lines.append("  cohort \(run.cohortSize), exported \(run.exported), added \(run.added), removed \(run.removed), unchanged \(run.unchanged)")
        if !run.skipped.isEmpty { lines.append("  skipped: " + counts(run.skipped)) }
        if !run.rejected.isEmpty { lines.append("  rejected: " + counts(run.rejected)) }
        lines.append("  requests: mailchimp \(run.mailchimpRequests), mixpanel \(run.mixpanelRequests)")
        let order: [MemberChange.Action] = [.add, .remove, .noop, .skip, .reject]
        let changeLines = run.changes.sorted(by: { (order.firstIndex(of: $0.action)!, $0.email.lowercased(), $0.distinctID) < (order.firstIndex(of: $1.action)!, $1.email.lowercased(), $1.distinctID) }).map { change in
            var line = "  \(change.action.rawValue) \(change.distinctID.isEmpty ? "-" : change.distinctID)"
            if !change.email.isEmpty { line += " \(change.email)" }
            if !change.reason.isEmpty { line += " (\(change.reason))" }
            return line
        }
        // Large groups of adds and no-ops are digested; removes, skips and rejects are always listed.
        var grouped: [String] = []
        for action in order {
            let group = changeLines.filter { $0.hasPrefix("  \(action.rawValue) ") }
            grouped += action == .add || action == .noop ? Self.abbreviated(group, what: "\(action.rawValue) lines") : group
        }
        return lines + grouped
    }

    /// Lines beyond this many are summarised by a digest, so very large worlds keep readable goldens.
    static let detailLimit = 200

    /// `lines` as they are, or — past ``detailLimit`` — the first 20, a count and a digest of all.
    static func abbreviated(_ lines: [String], what: String) -> [String] {
        guard lines.count > detailLimit else { return lines }
        let digest = StableHash.hex(seed: 0, length: 16, lines.joined(separator: "\n"))
        return Array(lines.prefix(20)) + ["  … \(lines.count - 20) more \(what) (\(lines.count) in all, digest \(digest))"]
    }

    private func counts(_ values: [String: Int]) -> String {
        values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: ", ")
    }
}

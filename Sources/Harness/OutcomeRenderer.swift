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
    let runs: [RunReport]
    let journal: [JournalEntry]
    /// One line per cohort, e.g. `cohort 601 "Recent Buyers": 2 members: dana, $device:4f1c`.
    let cohorts: [String]

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
        lines += ["", "== mailchimp"]
        for audience in audiences {
            lines.append("audience \"\(audience.name)\" (\(audience.id)): \(audience.members.count) contact" + (audience.members.count == 1 ? "" : "s"))
            for member in audience.members {
                lines.append("  \(member.email) \(member.status)" + (member.tags.isEmpty ? "" : " tags=[\(member.tags.joined(separator: ", "))]"))
            }
            for tag in audience.tags { lines.append("  tag \"\(tag.name)\": \(tag.members) contact" + (tag.members == 1 ? "" : "s")) }
        }
        lines += ["", "== syncs"]
        for sync in syncs {
            lines.append("sync \(sync.id): cohort \(sync.cohortID) -> audience \(sync.audienceID), \(sync.mode.rawValue), tag \"\(sync.tagName)\", state \(sync.state)"
                         + (sync.nextRun.map { ", next run \($0)" } ?? ""))
        }
        lines += ["", "== runs"]
        for run in runs { lines += render(run) }
        lines += ["", "== requests"]
        lines += journal.map(\.line)
        return lines.joined(separator: "\n") + "\n"
    }

    private func render(_ run: RunReport) -> [String] {
        var lines = ["run \(run.number): sync \(run.syncID), \(run.trigger), \(run.started) -> \(run.finished), \(run.outcome.rawValue)"
                     + (run.fullReconcile ? ", full reconcile" : "")]
        if !run.error.isEmpty { lines.append("  error: \(run.error)") }
        lines.append("  cohort \(run.cohortSize), exported \(run.exported), added \(run.added), removed \(run.removed), unchanged \(run.unchanged)")
        if !run.skipped.isEmpty { lines.append("  skipped: " + counts(run.skipped)) }
        if !run.rejected.isEmpty { lines.append("  rejected: " + counts(run.rejected)) }
        lines.append("  requests: mailchimp \(run.mailchimpRequests), mixpanel \(run.mixpanelRequests)")
        let order: [MemberChange.Action] = [.add, .remove, .noop, .skip, .reject]
        for change in run.changes.sorted(by: { (order.firstIndex(of: $0.action)!, $0.email.lowercased(), $0.distinctID) < (order.firstIndex(of: $1.action)!, $1.email.lowercased(), $1.distinctID) }) {
            var line = "  \(change.action.rawValue) \(change.distinctID.isEmpty ? "-" : change.distinctID)"
            if !change.email.isEmpty { line += " \(change.email)" }
            if !change.reason.isEmpty { line += " (\(change.reason))" }
            lines.append(line)
        }
        return lines
    }

    private func counts(_ values: [String: Int]) -> String {
        values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: ", ")
    }
}

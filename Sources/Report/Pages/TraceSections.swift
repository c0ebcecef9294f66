import Harness
import Plot

/// The charts and tables drawn from a replay's trace, all on one ``ChartLayout``.
struct TraceSections {
    typealias Body = Node<HTML.BodyContext>

    let trace: ScenarioTrace
    let redact: (String) -> String
    /// Fuzz violations, marked on the timeline at the step after which each was seen.
    var violations: [Violation] = []

    func render() -> [Body] {
        var broken: [Int: [String]] = [:]
        for violation in violations { if let step = violation.step { broken[step, default: []].append(violation.invariant.rawValue) } }
        let layout = ChartLayout(trace: trace)
        var nodes: [Body] = [
            .h2(Markup.text("Timeline")),
            .p(Markup.attr("class", "muted"), Markup.text("Virtual time \(trace.start) → \(trace.end) (\(trace.duration)); idle stretches over 10 minutes are drawn narrow (//).")),
            .div(Markup.attr("class", "scroll"), TimelineChart(trace: trace, layout: layout, redact: redact, broken: broken).render()),
            legend([("step", "var(--info)"), ("succeeded run", "var(--ok)"), ("failed", "var(--bad)"), ("paused", "var(--warn)"),
                    ("interrupted", "var(--purple)"), ("cancelled", "var(--muted)")] + (broken.isEmpty ? [] : [("invariant broken", "var(--bad)")])),
            .h2(Markup.text("Audience over time")),
        ]
        nodes += audience(layout)
        nodes += [.h2(Markup.text("Runs")), RunsTable(runs: trace.runs, redact: redact).render()]
        nodes += [
            .h2(Markup.text("Requests")),
            .div(Markup.attr("class", "scroll"), SwimlaneChart(requests: trace.requests, faultWindows: trace.faultWindows, layout: layout, redact: redact).render()),
            legend([("requests", "var(--req)"), ("429", "var(--warn)"), ("fault (5xx, dropped, timeout)", "var(--bad)"),
                    ("other failure", "var(--purple)"), ("retry", "var(--info)"), ("fault window", "var(--fault-bg)")]),
            .h2(Markup.text("Steps")),
            steps(),
        ]
        return nodes
    }

    private func audience(_ layout: ChartLayout) -> [Body] {
        let syncs = Array(Set(trace.samples.map(\.syncID))).sorted()
        guard !syncs.isEmpty else { return [.p(Markup.attr("class", "muted"), Markup.text("No sync existed after any step, so there is no audience to show."))] }
        var nodes: [Body] = []
        for sync in syncs {
            let samples = trace.samples.filter { $0.syncID == sync }
            nodes.append(.h3(Markup.text(redact(samples.first?.label ?? "sync \(sync)"))))
            nodes.append(.div(Markup.attr("class", "scroll"), AudienceChart(samples: samples, layout: layout).render()))
        }
        nodes.append(legend([("cohort size", "var(--info)"), ("exportable members (profile with a valid $email)", "var(--purple)"),
                             ("contacts carrying the sync's tag", "var(--ok)")]))
        nodes.append(.p(Markup.attr("class", "muted"), Markup.text("Sampled after every step; a value holds until the next sample.")))
        return nodes
    }

    private func steps() -> Body {
        .div(Markup.attr("class", "scroll"), .table(
            .thead(.tr(.th(Markup.attr("class", "num"), Markup.text("#")), .th(Markup.text("Virtual time")), .th(Markup.text("Step")),
                       .th(Markup.text("Result")))),
            .tbody(.group(trace.steps.map { step in
                .tr(.td(Markup.attr("class", "num"), Markup.text(String(step.number))),
                    .td(Markup.attr("class", "mono"), Markup.text(step.began.description + " " + TimeLabel.relative(step.began.duration(since: trace.start)))),
                    .td(Markup.text(step.kind + " (line \(step.line))")),
                    .td(Markup.text(redact(step.result))))
            }))
        ))
    }

    private func legend(_ items: [(String, String)]) -> Body {
        .div(Markup.attr("class", "legend"), .group(items.map { label, colour in
            .span(.span(Markup.attr("class", "swatch"), Markup.attr("style", "background:" + colour)), Markup.text(label))
        }))
    }
}

/// Each run's counts: added, removed, unchanged, skipped and rejected by reason.
struct RunsTable {
    let runs: [TraceRun]
    let redact: (String) -> String

    func render() -> Node<HTML.BodyContext> {
        guard !runs.isEmpty else { return .p(Markup.attr("class", "muted"), Markup.text("The engine recorded no run.")) }
        return .div(Markup.attr("class", "scroll"), .table(
            .thead(.tr(.th(Markup.text("Run")), .th(Markup.text("Sync")), .th(Markup.text("Trigger")), .th(Markup.text("Outcome")),
                       .th(Markup.text("Started → finished")), .th(Markup.attr("class", "num"), Markup.text("Cohort")),
                       .th(Markup.attr("class", "num"), Markup.text("Exported")), .th(Markup.attr("class", "num"), Markup.text("Added")),
                       .th(Markup.attr("class", "num"), Markup.text("Removed")), .th(Markup.attr("class", "num"), Markup.text("Unchanged")),
                       .th(Markup.text("Skipped")), .th(Markup.text("Rejected")))),
            .tbody(.group(runs.map(row)))
        ))
    }

    private func row(_ run: TraceRun) -> Node<HTML.TableContext> {
        .tr(
            .td(Markup.text(String(run.number))), .td(Markup.text(String(run.syncID))), .td(Markup.text(run.trigger)),
            .td(.span(Markup.attr("class", "badge run-badge-" + run.outcome), Markup.attr("style", "background:" + Self.colour(run.outcome)),
                      Markup.text(run.outcome)),
                .if(!run.error.isEmpty, .group(.br(), .span(Markup.attr("class", "muted"), Markup.text(redact(run.error)))))),
            .td(Markup.attr("class", "mono"), Markup.text("\(run.started) → \(run.finished)")),
            .td(Markup.attr("class", "num"), Markup.text(String(run.cohortSize))), .td(Markup.attr("class", "num"), Markup.text(String(run.exported))),
            .td(Markup.attr("class", "num"), Markup.text(String(run.added))), .td(Markup.attr("class", "num"), Markup.text(String(run.removed))),
            .td(Markup.attr("class", "num"), Markup.text(String(run.unchanged))),
            .td(Markup.text(counts(run.skipped))), .td(Markup.text(counts(run.rejected)))
        )
    }

    private func counts(_ values: [ReasonCount]) -> String {
        values.isEmpty ? "–" : values.map { "\(redact($0.reason)) \($0.count)" }.joined(separator: ", ")
    }

    static func colour(_ outcome: String) -> String {
        switch outcome {
        case "succeeded": "var(--ok)"
        case "failed": "var(--bad)"
        case "paused": "var(--warn)"
        case "interrupted": "var(--purple)"
        default: "var(--muted)"
        }
    }
}

import Harness
import Plot

/// One scenario's (or fuzz seed's) page: what failed and how to reproduce it, then the
/// timeline, the audience, the runs' counts and the requests on one time axis.
struct ScenarioPage {
    typealias Body = Node<HTML.BodyContext>

    let entry: ReportEntry
    /// The index, relative to this page.
    let index: String

    func render() -> String {
        var body: [Body] = [
            .p(.a(Markup.attr("href", index), Markup.text("← all results"))),
            .h1(Markup.text(text(entry.title))),
            .p(Markup.attr("class", "meta"), PageShell.badge(entry.status), Markup.text(" " + text(entry.id)
                + (entry.file.map { " · " + text($0) } ?? "") + (entry.id.hasPrefix("seed ") ? "" : " · seed \(entry.seed)")), .br(), PageShell.tags(entry.tags, redact: text)),
        ]
        if !entry.description.isEmpty { body.append(.p(Markup.text(text(entry.description)))) }
        body += FailureSection(entry: entry).render()
        if let trace = entry.trace { body += TraceSections(trace: trace, redact: text, violations: entry.violations).render() }
        return PageShell.html(title: text(entry.id) + " · CohortSim report", body: body)
    }

    private func text(_ value: String) -> String { entry.redact(value) }
}

/// What went wrong: the verdict, errors, the fuzz invariants, the repro line, the shrunk
/// scenario and the golden diff side by side.
struct FailureSection {
    typealias Body = Node<HTML.BodyContext>

    let entry: ReportEntry

    func render() -> [Body] {
        guard entry.status != .passed else { return [] }
        var nodes: [Body] = [.h2(Markup.text("Failure"))]
        var box: [Body] = [.p(.strong(Markup.text(text(entry.verdict))))]
        if let failure = entry.failure { box.append(.pre(Markup.text(text(failure)))) }
        if let repro = entry.repro { box.append(.p(Markup.text("Reproduce: "), .code(Markup.text(text(repro))))) }
        nodes.append(.div(Markup.attr("class", "failure"), .group(box)))
        if !entry.violations.isEmpty { nodes += violations() }
        if let shrunk = entry.shrunk {
            nodes.append(.h2(Markup.text("Shrunk scenario")))
            nodes.append(.p(Markup.text("Written to "), .code(Markup.text(text(shrunk.path))), Markup.text("; replay it with "),
                            .code(Markup.text("cohortsim run " + text(shrunk.path)))))
            nodes.append(.pre(Markup.text(text(shrunk.yaml))))
        }
        if let diff = entry.diff, !diff.isEmpty { nodes += [.h2(Markup.text("Golden and actual outcome, side by side")), DiffTable(diff: diff, redact: text).render()] }
        return nodes
    }

    private func violations() -> [Body] {
        [
            .h2(Markup.text("Invariants broken")),
            .div(Markup.attr("class", "scroll"), .table(
                .thead(.tr(.th(Markup.text("Invariant")), .th(Markup.text("Where it broke")), .th(Markup.text("Virtual time")), .th(Markup.text("What was seen")))),
                .tbody(.group(entry.violations.map { violation in
                    .tr(.td(.strong(Markup.text(violation.invariant.rawValue)), .br(), .span(Markup.attr("class", "muted"), Markup.text(violation.invariant.summary))),
                        .td(Markup.text(violation.step.map { "after step \($0)" } ?? "at the end")),
                        .td(Markup.attr("class", "mono"), Markup.text(violation.time)),
                        .td(Markup.text(text(violation.detail))))
                }))
            )),
        ]
    }

    private func text(_ value: String) -> String { entry.redact(value) }
}

/// A ``SideBySideDiff`` as a four-column table: golden line number and text, actual line
/// number and text.
struct DiffTable {
    let diff: SideBySideDiff
    let redact: (String) -> String

    func render() -> Node<HTML.BodyContext> {
        .div(Markup.attr("class", "scroll"), .table(
            Markup.attr("class", "diff"),
            .thead(.tr(.th(Markup.attr("class", "ln"), Markup.text("#")), .th(Markup.text("golden")),
                       .th(Markup.attr("class", "ln"), Markup.text("#")), .th(Markup.text("actual")))),
            .tbody(.group(diff.rows.map(row)))
        ))
    }

    private func row(_ row: SideBySideDiff.Row) -> Node<HTML.TableContext> {
        guard row.kind != .gap else { return .tr(Markup.attr("class", "gap"), .td(Markup.attr("colspan", "4"), Markup.text("⋯"))) }
        return .tr(
            Markup.attr("class", row.kind.rawValue),
            .td(Markup.attr("class", "ln"), Markup.text(row.goldenLine.map(String.init) ?? "")),
            .td(Markup.attr("class", "g"), Markup.text(row.golden.map(redact) ?? "")),
            .td(Markup.attr("class", "ln"), Markup.text(row.actualLine.map(String.init) ?? "")),
            .td(Markup.attr("class", "a"), Markup.text(row.actual.map(redact) ?? ""))
        )
    }
}

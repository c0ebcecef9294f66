import Harness
import Plot

/// The first page: the summary, the status and tag filters, and one row per entry, failures
/// first, each linking to its page.
struct IndexPage {
    let document: ReportDocument
    /// Each entry's page, relative to the index (`nil`: no page).
    let pages: [String?]
    /// Every entry's secrets (tags are shown across entries).
    let secrets: SecretScan

    init(document: ReportDocument, pages: [String?]) {
        self.document = document
        self.pages = pages
        secrets = document.secrets
    }

    func render() -> String {
        let sorted = document.entries.indices.sorted { (document.entries[$0].status.rank, $0) < (document.entries[$1].status.rank, $1) }
        let body: [Node<HTML.BodyContext>] = [
            .h1(Markup.text(document.title)),
            .p(Markup.attr("class", "meta"), Markup.text(document.summary + " · " + document.context)),
            filters(),
            .div(Markup.attr("class", "scroll"), .table(
                Markup.attr("id", "entries"),
                .thead(.tr(
                    .th(Markup.text("Status")), .th(Markup.text("Scenario")), .th(Markup.attr("class", "hide-narrow"), Markup.text("Tags")),
                    .th(Markup.attr("class", "num"), Markup.text("Virtual time")),
                    .th(Markup.attr("class", "num hide-narrow"), Markup.text("Steps")),
                    .th(Markup.attr("class", "num hide-narrow"), Markup.text("Runs")),
                    .th(Markup.attr("class", "num hide-narrow"), Markup.text("Requests")),
                    .th(Markup.attr("class", "hide-narrow"), Markup.text("Verdict"))
                )),
                .tbody(.group(sorted.map { row(document.entries[$0], page: pages[$0]) }))
            )),
            .p(Markup.attr("class", "muted"), Markup.text("Virtual time is the scenario's own clock, from its start to the end of the replay: the same on every machine.")),
        ]
        return PageShell.html(title: document.title, body: body, script: FilterScript.js)
    }

    private func filters() -> Node<HTML.BodyContext> {
        let statuses = ReportEntry.Status.allCases.filter { status in document.entries.contains { $0.status == status } }
        return .div(
            Markup.attr("class", "filters"),
            Markup.element("label", Markup.text("Status "), Markup.element("select", [Markup.attr("id", "filter-status")]
                + [option("", "all")] + statuses.map { option($0.rawValue, $0.rawValue) })),
            Markup.element("label", Markup.text("Tag "), Markup.element("select", [Markup.attr("id", "filter-tag")]
                + [option("", "all")] + document.tags.map { tag in option(redactAll(tag), redactAll(tag)) })),
            .span(Markup.attr("id", "filter-count"), Markup.attr("class", "muted"), Markup.text("\(document.entries.count) entries"))
        )
    }

    private func option(_ value: String, _ label: String) -> Node<HTML.BodyContext> {
        Markup.element("option", Markup.attr("value", value), Markup.text(label))
    }

    private func redactAll(_ text: String) -> String { secrets.redact(text) }

    private func row(_ entry: ReportEntry, page: String?) -> Node<HTML.TableContext> {
        let name: Node<HTML.BodyContext> = page.map { .a(Markup.attr("href", $0), Markup.text(entry.redact(entry.id))) }
            ?? .span(Markup.text(entry.redact(entry.id)))
        let trace = entry.trace
        return .tr(
            Markup.attr("data-status", entry.status.rawValue),
            Markup.attr("data-tags", "|" + entry.tags.map { redactAll($0) }.joined(separator: "|") + "|"),
            .td(PageShell.badge(entry.status)),
            .td(name, .br(), .span(Markup.attr("class", "muted"), Markup.text(entry.redact(entry.title)))),
            .td(Markup.attr("class", "hide-narrow"), PageShell.tags(entry.tags, redact: redactAll)),
            .td(Markup.attr("class", "num"), Markup.text(trace.map { $0.duration.description } ?? "–")),
            .td(Markup.attr("class", "num hide-narrow"), Markup.text(trace.map { String($0.steps.count) } ?? "–")),
            .td(Markup.attr("class", "num hide-narrow"), Markup.text(trace.map { String($0.runs.count) } ?? "–")),
            .td(Markup.attr("class", "num hide-narrow"), Markup.text(trace.map { String($0.requests.count) } ?? "–")),
            .td(Markup.attr("class", "hide-narrow"), Markup.text(entry.redact(entry.verdict)))
        )
    }
}

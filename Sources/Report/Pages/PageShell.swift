import Plot

/// The frame of every page: a doctype, UTF-8, a viewport for phones, the inline stylesheet, and
/// nothing loaded from anywhere (no link, no font, no external script).
enum PageShell {
    static func html(title: String, body: [Node<HTML.BodyContext>], script: String? = nil) -> String {
        let page = HTML(
            .lang(.english),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .element(named: "title", nodes: [Markup.text(title)]),
                .style(Stylesheet.css)
            ),
            .body(
                .main(.group(body)),
                .if(script != nil, .script(.raw(script ?? "")))
            )
        )
        return page.render(indentedBy: nil) + "\n"
    }

    /// A status badge.
    static func badge(_ status: ReportEntry.Status) -> Node<HTML.BodyContext> {
        .span(Markup.attr("class", "badge status-\(status.rawValue)"), Markup.text(status.rawValue))
    }

    /// Tag chips.
    static func tags(_ tags: [String], redact: (String) -> String) -> Node<HTML.BodyContext> {
        .group(tags.map { .span(Markup.attr("class", "tag"), Markup.text(redact($0))) })
    }
}

import Harness

/// One file of a rendered report: its path below the report folder and its bytes.
public struct ReportPage: Sendable, Equatable {
    public var path: String
    public var html: String
}

/// A report that cannot be written, with what to do about it.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// Renders a ``ReportDocument`` as static pages: `index.html` and one page per entry under
/// `pages/`. Pure: the same document gives the same bytes (no clock, no dictionary order).
public struct ReportRenderer: Sendable {
    public init() {}

    /// Every page, index first. Throws when a configured secret survives into a page (a bug in
    /// the redaction; nothing is written then).
    public func render(_ document: ReportDocument) throws -> [ReportPage] {
        let names = Self.pageNames(document.entries)
        var pages = [ReportPage(path: "index.html", html: IndexPage(document: document, pages: names).render())]
        for (entry, name) in zip(document.entries, names) {
            guard let name else { continue }
            pages.append(ReportPage(path: name, html: ScenarioPage(entry: entry, index: "../index.html").render()))
        }
        let scan = document.secrets
        for page in pages {
            if let leak = scan.leaks(in: [(place: "report page \(page.path)", text: page.html)]).first {
                throw ReportError("refusing to write the report: \(leak)")
            }
        }
        return pages
    }

    /// `pages/<id with every character outside [A-Za-z0-9_-] as ->.html`, made unique with a
    /// counter; `nil` for entries without a page.
    static func pageNames(_ entries: [ReportEntry]) -> [String?] {
        var used = Set<String>()
        return entries.map { entry in
            guard entry.hasPage else { return nil }
            let base = String(String.UnicodeScalarView(entry.id.unicodeScalars.map { scalar in
                ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_" || scalar == "-" ? scalar : "-"
            }))
            var name = "pages/\(base).html", counter = 2
            while !used.insert(name).inserted {
                name = "pages/\(base)-\(counter).html"
                counter += 1
            }
            return name
        }
    }
}

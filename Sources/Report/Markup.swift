import Plot

/// Escaped text and attributes for Plot, and Plot's custom elements under short names.
///
/// Plot 0.14.0 writes attribute values as they are and keeps anything that looks like an entity
/// in text (`&amp;` stays `&amp;`), so every value from a scenario goes through here instead:
/// text escapes `&`, `<` and `>`; attributes also escape both quotes. Only the report's own
/// constant stylesheet and script are written raw.
enum Markup {
    /// `value` as element text.
    static func text<C>(_ value: String) -> Node<C> { .raw(escapeText(value)) }

    /// An attribute whose value is escaped (an empty value is kept: `title=""`).
    static func attr<C>(_ name: String, _ value: String) -> Node<C> {
        .attribute(named: name, value: escapeAttribute(value), ignoreIfValueIsEmpty: false)
    }

    /// A custom element (SVG shapes, `select`, `option`, …).
    static func element<C>(_ name: String, _ nodes: [Node<C>]) -> Node<C> { .element(named: name, nodes: nodes) }

    static func element<C>(_ name: String, _ nodes: Node<C>...) -> Node<C> { .element(named: name, nodes: nodes) }

    static func escapeText(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func escapeAttribute(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n": out += "&#10;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A number for SVG coordinates: one decimal, no exponent, no locale.
    static func number(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        guard tenths.isFinite else { return "0" }
        let whole = Int(tenths)
        let sign = whole < 0 ? "-" : ""
        let magnitude = abs(whole)
        return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }
}

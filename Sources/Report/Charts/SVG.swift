import Plot
import SimCore

/// Inline SVG shapes as Plot nodes: every shape can carry a `<title>` (the browser's tooltip),
/// and every coordinate is written by ``Markup/number(_:)`` (same value, same bytes).
enum SVG {
    typealias Body = Node<HTML.BodyContext>

    /// A chart: `width`×`height` user units scaled to the container, described for screen readers.
    static func chart(width: Double, height: Double, label: String, className: String, _ children: [Body]) -> Body {
        Markup.element("svg", [
            Markup.attr("xmlns", "http://www.w3.org/2000/svg"),
            Markup.attr("viewBox", "0 0 \(Markup.number(width)) \(Markup.number(height))"),
            Markup.attr("class", "chart " + className),
            Markup.attr("role", "img"),
            Markup.attr("aria-label", label),
        ] + children)
    }

    static func rect(x: Double, y: Double, width: Double, height: Double, className: String, title: String? = nil) -> Body {
        shape("rect", [("x", x), ("y", y), ("width", max(width, 0)), ("height", max(height, 0))], className: className, title: title)
    }

    static func circle(x: Double, y: Double, r: Double, className: String, title: String? = nil) -> Body {
        shape("circle", [("cx", x), ("cy", y), ("r", r)], className: className, title: title)
    }

    static func line(x1: Double, y1: Double, x2: Double, y2: Double, className: String) -> Body {
        shape("line", [("x1", x1), ("y1", y1), ("x2", x2), ("y2", y2)], className: className, title: nil)
    }

    /// A polyline through `points` (x, y).
    static func polyline(_ points: [(Double, Double)], className: String, title: String? = nil) -> Body {
        let text = points.map { Markup.number($0.0) + "," + Markup.number($0.1) }.joined(separator: " ")
        return Markup.element("polyline", [Markup.attr("points", text), Markup.attr("class", className)]
                              + (title.map { [Markup.element("title", Markup.text($0))] } ?? []))
    }

    static func path(_ d: String, className: String) -> Body {
        Markup.element("path", Markup.attr("d", d), Markup.attr("class", className))
    }

    static func text(_ value: String, x: Double, y: Double, className: String, anchor: String = "start") -> Body {
        Markup.element("text", Markup.attr("x", Markup.number(x)), Markup.attr("y", Markup.number(y)),
                       Markup.attr("class", className), Markup.attr("text-anchor", anchor), Markup.text(value))
    }

    private static func shape(_ name: String, _ numbers: [(String, Double)], className: String, title: String?) -> Body {
        var nodes: [Body] = numbers.map { Markup.attr($0.0, Markup.number($0.1)) }
        nodes.append(Markup.attr("class", className))
        if let title { nodes.append(Markup.element("title", Markup.text(title))) }
        return Markup.element(name, nodes)
    }

    /// The time axis under a chart: a baseline, a break mark on each compressed gap, and labels
    /// (time since the scenario's start) where they do not overlap.
    static func axis(_ scale: TimeScale, y: Double) -> [Body] {
        var nodes: [Body] = [line(x1: scale.x0, y1: y, x2: scale.x1, y2: y, className: "axis")]
        for gap in scale.gaps {
            let mid = (gap.x0 + gap.x1) / 2
            nodes.append(path("M\(Markup.number(mid - 3)) \(Markup.number(y + 4))L\(Markup.number(mid + 1)) \(Markup.number(y - 4))"
                              + "M\(Markup.number(mid)) \(Markup.number(y + 4))L\(Markup.number(mid + 4)) \(Markup.number(y - 4))", className: "break"))
        }
        // A label takes about 60 px: start-anchored to the right of its tick, end-anchored (near
        // the right edge) to its left; one that would touch the previous label is left out.
        var lastLabel = -Double.infinity
        for tick in scale.ticks(spacing: 80) {
            let anchorEnd = tick.x > scale.x1 - 60
            guard tick.x - lastLabel >= (anchorEnd ? 124 : 64) else { continue }
            nodes.append(line(x1: tick.x, y1: y, x2: tick.x, y2: y + 4, className: "axis"))
            let label = TimeLabel.axis(tick.time.duration(since: scale.start), step: tick.step)
            nodes.append(text(label, x: tick.x, y: y + 15, className: "tick", anchor: anchorEnd ? "end" : "start"))
            lastLabel = tick.x
        }
        return nodes
    }
}

/// Short time labels for axes and tables.
enum TimeLabel {
    /// An axis label: every non-zero unit down to the tick's interval, e.g. `+2h1m30s` for a tick
    /// every 30 s, `+2h` for one every hour; below a second the milliseconds too.
    static func axis(_ duration: SimDuration, step: Int64) -> String {
        var rest = max(0, duration.milliseconds)
        guard rest > 0 else { return "+0s" }
        var text = "+"
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            if rest >= size { text += "\(rest / size)\(unit)"; rest %= size }
            if size <= step { break }
        }
        return text == "+" ? "+\(duration.milliseconds)ms" : text
    }

    /// `+0s`, `+2h5m`, `+3d4h`: the two largest units of a duration since the start.
    static func relative(_ duration: SimDuration) -> String {
        var rest = max(0, duration.milliseconds)
        guard rest > 0 else { return "+0s" }
        var parts: [String] = []
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] where parts.count < 2 {
            if rest >= size { parts.append("\(rest / size)\(unit)"); rest %= size } else if !parts.isEmpty { break }
        }
        return "+" + parts.joined()
    }
}

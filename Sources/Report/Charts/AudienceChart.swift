import Harness
import SimCore

/// Cohort size, exportable members and tagged contacts of one sync over time, as steps (each
/// value holds until the next sample: the runner samples after every step).
struct AudienceChart {
    let samples: [AudienceSample]
    let layout: ChartLayout

    /// The three lines, in legend order.
    enum Series: String, CaseIterable {
        case cohort = "cohort size", exportable = "exportable members", tagged = "tagged contacts"

        var className: String { "series-" + String(describing: self) }

        func value(_ sample: AudienceSample) -> Int {
            switch self {
            case .cohort: sample.cohortSize
            case .exportable: sample.exportable
            case .tagged: sample.tagged
            }
        }
    }

    func render() -> SVG.Body {
        let top = 14.0, bottom = 150.0
        let peak = max(1, samples.map { max($0.cohortSize, $0.exportable, $0.tagged) }.max() ?? 1)
        func y(_ value: Int) -> Double { bottom - (bottom - top) * Double(value) / Double(peak) }
        var nodes: [SVG.Body] = []
        for value in Set([0, peak / 2, peak]).sorted() {
            nodes.append(SVG.line(x1: ChartLayout.left, y1: y(value), x2: ChartLayout.right, y2: y(value), className: "grid"))
            nodes.append(SVG.text(String(value), x: ChartLayout.left - 6, y: y(value) + 4, className: "tick", anchor: "end"))
        }
        for series in Series.allCases {
            var points: [(Double, Double)] = []
            for sample in samples {
                let x = layout.scale.x(sample.time), value = y(series.value(sample))
                if let last = points.last, last.1 != value { points.append((x, last.1)) }
                points.append((x, value))
            }
            if let last = points.last, last.0 < ChartLayout.right { points.append((layout.scale.x(layout.scale.end), last.1)) }
            nodes.append(SVG.polyline(points, className: "series " + series.className, title: series.rawValue))
            for sample in samples {
                nodes.append(SVG.circle(x: layout.scale.x(sample.time), y: y(series.value(sample)), r: 2.5,
                                        className: "dot " + series.className,
                                        title: "\(series.rawValue) \(series.value(sample)) " + (sample.step == 0 ? "before the first step" : "after step \(sample.step)")
                                            + " (\(layout.when(sample.time)))"))
            }
        }
        nodes += SVG.axis(layout.scale, y: bottom + 8)
        let label = samples.first?.label ?? "audience"
        return SVG.chart(width: ChartLayout.width, height: bottom + 32, label: "Cohort size, exportable members and tagged contacts of \(label)",
                         className: "audience", nodes)
    }
}

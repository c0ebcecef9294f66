import Harness
import SimCore

/// Steps and runs on the virtual clock: a lane of step marks, then a lane of run bars per sync,
/// coloured by outcome.
struct TimelineChart {
    let trace: ScenarioTrace
    let layout: ChartLayout
    let redact: (String) -> String
    /// Steps after which a fuzz invariant broke (marked in red), with what broke.
    var broken: [Int: [String]] = [:]

    func render() -> SVG.Body {
        let syncs = Array(Set(trace.runs.map(\.syncID))).sorted()
        let laneHeight = 28.0
        let height = 40 + laneHeight * Double(syncs.count + 1) + 24
        var nodes: [SVG.Body] = [SVG.text("steps", x: 8, y: 38, className: "lane")]
        nodes += stepMarks(y: 24)
        for (index, sync) in syncs.enumerated() {
            let y = 40 + laneHeight * Double(index + 1)
            nodes.append(SVG.text("sync \(sync) runs", x: 8, y: y + 4, className: "lane"))
            nodes += trace.runs.filter { $0.syncID == sync }.map { run(for: $0, y: y - 9) }
        }
        nodes += SVG.axis(layout.scale, y: height - 22)
        return SVG.chart(width: ChartLayout.width, height: height, label: "Timeline of \(trace.steps.count) steps and \(trace.runs.count) runs",
                         className: "timeline", nodes)
    }

    private func stepMarks(y: Double) -> [SVG.Body] {
        var nodes: [SVG.Body] = []
        var lastLabel = -Double.infinity
        for step in trace.steps {
            let x = layout.scale.x(step.began)
            let title = "step \(step.number) (line \(step.line)) \(step.kind) at \(layout.when(step.began)): \(redact(step.result))"
            nodes.append(SVG.rect(x: x - 1.5, y: y, width: 3, height: 18, className: "step step-\(step.kind)", title: title))
            if let invariants = broken[step.number] {
                nodes.append(SVG.circle(x: x, y: y + 9, r: 6, className: "broken",
                                        title: "broken after step \(step.number): " + invariants.joined(separator: ", ")))
            }
            if x - lastLabel >= 16 {
                nodes.append(SVG.text(String(step.number), x: x, y: y - 4, className: "num", anchor: "middle"))
                lastLabel = x
            }
        }
        return nodes
    }

    private func run(for run: TraceRun, y: Double) -> SVG.Body {
        let x0 = layout.scale.x(run.started), x1 = max(layout.scale.x(run.finished), x0 + 3)
        var title = "run \(run.number) (\(run.trigger)) \(run.outcome), \(layout.when(run.started)) → \(run.finished): "
            + "cohort \(run.cohortSize), added \(run.added), removed \(run.removed), unchanged \(run.unchanged)"
        if !run.error.isEmpty { title += "; error: " + redact(run.error) }
        return SVG.rect(x: x0, y: y, width: x1 - x0, height: 18, className: "run run-\(run.outcome)", title: title)
    }
}

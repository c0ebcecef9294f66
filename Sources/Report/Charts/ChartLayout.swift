import Harness
import SimCore

/// The shared frame of a scenario's charts: one width, one left margin for lane names, and one
/// time axis, so the timeline, the audience and the requests line up one above the other.
struct ChartLayout: Sendable {
    static let width = 1200.0
    static let left = 170.0
    static let right = 1180.0

    let scale: TimeScale

    init(trace: ScenarioTrace) {
        var busy: [(SimTime, SimTime)] = trace.runs.map { ($0.started, $0.finished) }
        busy += trace.requests.map { ($0.time, $0.end) }
        // A wait is idle time by definition: only its first instant counts as busy.
        busy += trace.steps.map { ($0.began, $0.kind == "wait" ? $0.began : $0.ended) }
        busy += trace.samples.map { ($0.time, $0.time) }
        scale = TimeScale(start: trace.start, end: trace.end, busy: busy, x0: Self.left, x1: Self.right)
    }

    /// `at` as `2026-03-02T09:00:00Z (+2h)`.
    func when(_ at: SimTime) -> String { "\(at) (\(TimeLabel.relative(at.duration(since: scale.start))))" }
}

import Foundation
import Harness
@testable import Report
import SimCore
import Testing

/// The time axis and the golden side-by-side diff the report draws.
@Suite(.timeLimit(.minutes(1))) struct ChartTests {
    let start = SimTime(seconds: 1_000_000)

    @Test func idleHoursBetweenRunsAreDrawnNarrow() {
        let busy = [(start, start.adding(.seconds(30))), (start.adding(.hours(6)), start.adding(.hours(6) + .seconds(30)))]
        let scale = TimeScale(start: start, end: start.adding(.hours(6) + .seconds(30)), busy: busy, x0: 0, x1: 1000)
        #expect(scale.gaps.count == 1)
        let gap = scale.gaps[0]
        #expect(gap.x1 - gap.x0 <= 16)
        #expect(scale.x(start) == 0 && scale.x(start.adding(.hours(6) + .seconds(30))) == 1000)
        #expect(scale.x(start.adding(.seconds(15))) > 200, "a busy half minute gets real width")
    }

    @Test func timesMapInOrder() {
        let busy = (0..<20).map { i in (start.adding(.hours(Int64(i))), start.adding(.hours(Int64(i)) + .seconds(5))) }
        let scale = TimeScale(start: start, end: start.adding(.hours(20)), busy: busy, x0: 100, x1: 1100)
        let xs = (0..<200).map { scale.x(start.adding(.minutes(Int64($0) * 6))) }
        #expect(xs == xs.sorted())
        #expect(xs.allSatisfy { $0 >= 100 && $0 <= 1100 })
    }

    @Test func anInstantIsDrawnInsideTheAxis() {
        let scale = TimeScale(start: start, end: start, busy: [(start, start)], x0: 10, x1: 20)
        #expect(scale.x(start) >= 10 && scale.x(start) <= 20)
    }

    @Test func sideBySidePairsAChangedLineAndKeepsContext() {
        let golden = (1...20).map { "line \($0)" }.joined(separator: "\n")
        let actual = golden.replacingOccurrences(of: "line 10\n", with: "line ten\nline 10b\n")
        let diff = SideBySideDiff(golden: golden, actual: actual)
        let changed = diff.rows.filter { $0.kind != .same && $0.kind != .gap }
        #expect(changed.map(\.kind) == [.changed, .inserted])
        #expect(changed[0].golden == "line 10" && changed[0].actual == "line ten" && changed[0].goldenLine == 10)
        #expect(diff.rows.first?.kind == .gap && diff.rows.last?.kind == .gap)
        #expect(SideBySideDiff(golden: golden, actual: golden).isEmpty)
    }

    @Test func labelsShowTheTwoLargestUnits() {
        #expect(TimeLabel.relative(.zero) == "+0s")
        #expect(TimeLabel.relative(.hours(26) + .minutes(3) + .seconds(4)) == "+1d2h")
        #expect(TimeLabel.relative(.minutes(2)) == "+2m")
        #expect(TimeLabel.axis(.hours(2) + .seconds(30), step: 30_000) == "+2h30s")
        #expect(TimeLabel.axis(.hours(2) + .seconds(30), step: 3_600_000) == "+2h")
        #expect(TimeLabel.axis(.seconds(1) + SimDuration(milliseconds: 200), step: 200) == "+1s200ms")
        #expect(Markup.number(1.25) == "1.3" && Markup.number(-0.04) == "0" && Markup.number(12) == "12")
    }
}

/// Axis labels inside a long busy stretch.
@Suite(.timeLimit(.minutes(1))) struct AxisTickTests {
    @Test func aBusyMinuteIsLabelledAtRoundSeconds() {
        let start = SimTime(seconds: 500)
        let scale = TimeScale(start: start, end: start.adding(.seconds(60)), busy: [(start, start.adding(.seconds(60)))], x0: 0, x1: 1000)
        let ticks = scale.ticks(spacing: 80)
        #expect(ticks.first?.x == 0)
        #expect(ticks.count > 5 && ticks.count <= 13, "\(ticks.map(\.time))")
        #expect(ticks.dropFirst().allSatisfy { $0.time.duration(since: start).milliseconds % 5000 == 0 })
    }
}

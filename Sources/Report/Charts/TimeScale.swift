import SimCore

/// A virtual-time axis that keeps busy stretches readable: idle gaps longer than `idleGap`
/// (hours of waiting between two runs) are drawn narrow with a break mark, and the busy
/// stretches share the rest of the width in proportion to their length.
struct TimeScale: Sendable {
    struct Segment: Sendable, Equatable {
        var from: SimTime
        var to: SimTime
        var x0: Double
        var x1: Double
        /// A compressed idle gap (drawn with a break mark).
        var isGap: Bool
    }

    let segments: [Segment]
    let start: SimTime
    let end: SimTime
    let x0: Double
    let x1: Double

    /// An axis over `[start, end]` on `[x0, x1]` pixels, busy during `busy` (any order).
    init(start: SimTime, end: SimTime, busy: [(SimTime, SimTime)], x0: Double, x1: Double,
         idleGap: SimDuration = .minutes(10)) {
        self.start = start
        self.end = max(end, start)
        self.x0 = x0
        self.x1 = x1
        let pieces = Self.pieces(start: start, end: self.end, busy: busy, idleGap: idleGap)
        segments = Self.layout(pieces, x0: x0, x1: x1)
    }

    /// The x of `time` (clamped to the axis).
    func x(_ time: SimTime) -> Double {
        guard let first = segments.first else { return x0 }
        if time <= first.from { return first.x0 }
        var low = 0, high = segments.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if segments[mid].from <= time { low = mid } else { high = mid - 1 }
        }
        // An instant (a zero-length busy piece) owns its time: draw it at its piece's centre.
        while low > 0, segments[low - 1].from == time { low -= 1 }
        let segment = segments[low]
        let span = Double(segment.to.milliseconds - segment.from.milliseconds)
        guard span > 0 else { return (segment.x0 + segment.x1) / 2 }
        let fraction = min(1, Double(time.milliseconds - segment.from.milliseconds) / span)
        return segment.x0 + fraction * (segment.x1 - segment.x0)
    }

    /// Where to label the axis: each busy stretch's start, and inside a wide one every round
    /// interval (1 s, 5 s, 1 min, 1 h, …) that leaves at least `spacing` pixels between labels.
    /// Each tick carries the interval it is a multiple of (a stretch's start: one second), so its
    /// label can show the units that tell it apart from its neighbours.
    func ticks(spacing: Double) -> [(time: SimTime, x: Double, step: Int64)] {
        var ticks: [(time: SimTime, x: Double, step: Int64)] = []
        for segment in segments where !segment.isGap {
            ticks.append((segment.from, segment.x0, 1000))
            let span = segment.to.milliseconds - segment.from.milliseconds, width = segment.x1 - segment.x0
            guard span > 0, width >= spacing * 2 else { continue }
            let wanted = Double(span) * spacing / width
            guard let step = Self.roundSteps.first(where: { Double($0) >= wanted }) else { continue }
            let offset = segment.from.milliseconds - start.milliseconds
            var next = (offset / step + 1) * step
            while next < offset + span {
                let time = SimTime(milliseconds: start.milliseconds + next)
                ticks.append((time, x(time), step))
                next += step
            }
        }
        return ticks
    }

    /// Round label intervals in milliseconds, from 1 ms to 30 days.
    private static let roundSteps: [Int64] = [1, 2, 5, 10, 20, 50, 100, 200, 500]
        + [1, 2, 5, 10, 15, 30].map { $0 * 1000 } + [1, 2, 5, 10, 15, 30].map { $0 * 60_000 }
        + [1, 2, 3, 6, 12].map { $0 * 3_600_000 } + [1, 2, 7, 30].map { $0 * 86_400_000 }

    /// The compressed gaps, for break marks.
    var gaps: [Segment] { segments.filter(\.isGap) }

    /// Busy and idle pieces in time order, covering `[start, end]`.
    private static func pieces(start: SimTime, end: SimTime, busy: [(SimTime, SimTime)], idleGap: SimDuration) -> [(SimTime, SimTime, Bool)] {
        let sorted = busy.map { (max(start, min($0.0, end)), max(start, min(max($0.0, $0.1), end))) }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        var merged: [(SimTime, SimTime)] = []
        for interval in sorted {
            if let last = merged.last, interval.0.duration(since: last.1) < idleGap {
                merged[merged.count - 1].1 = max(last.1, interval.1)
            } else {
                merged.append(interval)
            }
        }
        var pieces: [(SimTime, SimTime, Bool)] = []
        var cursor = start
        for interval in merged {
            if interval.0 > cursor {
                pieces.append((cursor, interval.0, interval.0.duration(since: cursor) >= idleGap))
            }
            pieces.append((interval.0, interval.1, false))
            cursor = interval.1
        }
        if end > cursor { pieces.append((cursor, end, end.duration(since: cursor) >= idleGap)) }
        if pieces.isEmpty { pieces.append((start, end, false)) }
        return pieces
    }

    /// Pixels per piece: a gap gets a fixed narrow width, a busy piece a minimum plus its share.
    private static func layout(_ pieces: [(SimTime, SimTime, Bool)], x0: Double, x1: Double) -> [Segment] {
        let width = max(1, x1 - x0)
        let gapCount = Double(pieces.filter(\.2).count), busyCount = Double(pieces.filter { !$0.2 }.count)
        let gapWidth = gapCount == 0 ? 0 : min(16, width * 0.35 / gapCount)
        let minimum = busyCount == 0 ? 0 : min(6, width * 0.25 / busyCount)
        let busyTotal = pieces.filter { !$0.2 }.reduce(0.0) { $0 + Double($1.1.milliseconds - $1.0.milliseconds) }
        let spare = max(0, width - gapWidth * gapCount - minimum * busyCount)
        var x = x0
        var segments: [Segment] = []
        for (from, to, isGap) in pieces {
            let share = busyTotal > 0 ? Double(to.milliseconds - from.milliseconds) / busyTotal : 1 / max(1, busyCount)
            let w = isGap ? gapWidth : minimum + spare * share
            segments.append(Segment(from: from, to: to, x0: x, x1: x + w, isGap: isGap))
            x += w
        }
        // Rounding and an all-gap axis leave the last pixels unused: stretch the final piece to x1.
        if var last = segments.popLast() { last.x1 = x1; segments.append(last) }
        return segments
    }
}

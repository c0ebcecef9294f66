import SimCore
import Synchronization

/// `serve`'s clock: another clock (the real one) plus an offset the admin API moves forward,
/// so a client can jump over a fault window, a rate-limit hour or a batch's processing time.
/// Sleepers re-check the time at least every 100 ms, so an advance wakes the due ones promptly.
public final class ServeClock: SimClock {
    private let base: any SimClock
    private let offset = Mutex<SimDuration>(.zero)

    public init(base: any SimClock) { self.base = base }

    public var now: SimTime { base.now.adding(offset.withLock { $0 }) }

    /// How far the admin API has moved time on since the start (or the last reset).
    public var advanced: SimDuration { offset.withLock { $0 } }

    /// Moves time forward by `duration` (never back).
    public func advance(by duration: SimDuration) {
        offset.withLock { $0 = $0 + duration }
    }

    /// Back to the base clock's time.
    public func resetOffset() { offset.withLock { $0 = .zero } }

    public func sleep(until deadline: SimTime) async throws {
        while true {
            let remaining = deadline.duration(since: now)
            guard remaining > .zero else { return }
            try await base.sleep(for: min(remaining, SimDuration(milliseconds: 100)))
        }
    }
}

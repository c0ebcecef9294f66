import Synchronization

/// A clock that moves only when the simulation tells it to.
///
/// Sleepers are woken in order of (deadline, priority, arrival). A ``Simulation`` advances the
/// clock to the next deadline whenever every task it drives is waiting, so `wait: 2h` fires
/// scheduled work in time order without real sleeping.
public final class VirtualClock: SimClock {
    /// Lower values wake first among sleepers with the same deadline.
    public enum Priority: Int, Sendable, Comparable {
        /// Engine and fake work: retries, schedules, batch transitions.
        case work = 0
        /// The scenario timeline: it resumes after all work due at the same instant.
        case timeline = 1

        public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private struct Sleeper {
        let deadline: SimTime
        let priority: Priority
        let sequence: UInt64
        let continuation: CheckedContinuation<Void, any Error>
        /// The loopback request this sleep belongs to (a fake's delay), parked while asleep.
        let parked: ExternalWork?
    }

    private struct State {
        var now: SimTime
        var sequence: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
    }

    private let state: Mutex<State>

    public init(start: SimTime) {
        state = Mutex(State(now: start))
    }

    public var now: SimTime { state.withLock { $0.now } }

    /// The earliest time anyone is waiting for, if anyone is.
    public var nextDeadline: SimTime? {
        state.withLock { $0.sleepers.values.map(\.deadline).min() }
    }

    /// Number of tasks currently asleep on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: SimTime) async throws {
        try await sleep(until: deadline, priority: .work)
    }

    /// Sleeps with an explicit wake-up priority among equal deadlines.
    public func sleep(until deadline: SimTime, priority: Priority) async throws {
        try Task.checkCancellation()
        let id = state.withLock { s -> UInt64 in s.sequence += 1; return s.sequence }
        let external = ExternalWork.current
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { s -> Bool in
                    if Task.isCancelled { return true }
                    s.sleepers[id] = Sleeper(deadline: deadline, priority: priority, sequence: id,
                                             continuation: continuation, parked: external)
                    return false
                }
                // Parked only once the sleeper is registered, so the simulation never advances
                // past a deadline it cannot see yet.
                if resumeNow { continuation.resume(throwing: CancellationError()) } else { external?.park() }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.parked?.unpark()
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Returns once everything due at the current instant has run: no job is ready, no
    /// loopback request is on the wire and no work-priority sleeper is due now. Time does not
    /// move. The scenario timeline settles after every step, so the next step and the fuzzer's
    /// observations see the same state whatever order same-instant work happened to run in.
    public func settle() async throws {
        try await sleep(until: now, priority: .timeline)
    }

    /// Moves time to the earliest pending deadline (never backwards) and wakes the sleepers due
    /// then with the most urgent priority. Returns `false` when nobody is asleep.
    @discardableResult
    public func advanceToNextDeadline() -> Bool {
        let due = state.withLock { s -> [Sleeper] in
            guard let first = s.sleepers.values.min(by: { ($0.deadline, $0.priority.rawValue, $0.sequence) < ($1.deadline, $1.priority.rawValue, $1.sequence) }) else {
                return []
            }
            let wake = s.sleepers.values
                .filter { $0.deadline == first.deadline && $0.priority == first.priority }
                .sorted { $0.sequence < $1.sequence }
            for sleeper in wake { s.sleepers.removeValue(forKey: sleeper.sequence) }
            if first.deadline > s.now { s.now = first.deadline }
            return wake
        }
        // A woken loopback request holds time still again before anything resumes.
        for sleeper in due { sleeper.parked?.unpark() }
        for sleeper in due { sleeper.continuation.resume() }
        return !due.isEmpty
    }

    /// Sets the time directly (never backwards); used before any task is running.
    public func set(_ time: SimTime) {
        state.withLock { if time > $0.now { $0.now = time } }
    }
}

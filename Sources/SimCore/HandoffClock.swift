import Synchronization

/// A clock that is a ``VirtualClock`` until ``handOff()``, and from then on moves with real
/// time from the instant the virtual clock had reached.
///
/// `cohortsim serve --play` uses it: the fakes replay a scenario's steps on virtual time
/// (deterministic, no real waiting), then serve real clients on a clock that carries on from the
/// scenario's timeline, so the scenario's fault windows, rate-limit windows and batch
/// transitions keep their scenario-time meaning. Work still asleep on the virtual clock when it
/// is handed off (a batch finishing, say) wakes when real time reaches its deadline.
public final class HandoffClock: SimClock {
    /// Where virtual time stood, and the real time, when the clock was handed off.
    private struct Handoff {
        let virtualAt: SimTime
        let realAt: SimTime
    }

    /// The clock the replay drives before the handoff.
    public let virtual: VirtualClock
    private let real = SystemClock()
    private let handoff = Mutex<Handoff?>(nil)
    private let pump = Mutex<Task<Void, Never>?>(nil)

    public init(virtual: VirtualClock) {
        self.virtual = virtual
    }

    /// Whether ``handOff()`` has been called.
    public var isHandedOff: Bool { handoff.withLock { $0 != nil } }

    public var now: SimTime {
        guard let handoff = handoff.withLock({ $0 }) else { return virtual.now }
        return handoff.virtualAt.adding(SimDuration(milliseconds: real.now.milliseconds - handoff.realAt.milliseconds))
    }

    public func sleep(until deadline: SimTime) async throws {
        guard isHandedOff else { return try await virtual.sleep(until: deadline) }
        let delay = deadline.milliseconds - now.milliseconds
        if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000) }
    }

    /// Switches to real time from the virtual clock's current instant, and wakes the virtual
    /// clock's remaining sleepers as real time reaches their deadlines. Calling it twice is a
    /// no-op.
    public func handOff() {
        let first = handoff.withLock { state -> Bool in
            guard state == nil else { return false }
            state = Handoff(virtualAt: virtual.now, realAt: real.now)
            return true
        }
        guard first else { return }
        let task = Task { [self] in
            while !Task.isCancelled, let next = virtual.nextDeadline {
                do { try await sleep(until: next) } catch { return }
                virtual.advanceToNextDeadline()
            }
        }
        pump.withLock { $0 = task }
    }

    /// Stops waking the virtual clock's sleepers (the server is shutting down).
    public func stop() {
        pump.withLock { $0?.cancel() }
    }
}

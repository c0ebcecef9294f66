import Foundation
import Synchronization

/// A deterministic world: one serial executor and one virtual clock.
///
/// Every task started inside ``run(_:)`` prefers this executor, so all engine and fake code runs
/// on one thread, in FIFO order of readiness: the same scenario interleaves the same way every
/// time. When no job is ready and no external I/O is pending, the clock jumps to the next
/// deadline ("run until idle"). If nothing is ready, nothing is pending and nobody sleeps, the
/// run has stalled and ``run(_:)`` throws ``SimulationError/stalled``.
///
/// Work on real sockets (the loopback transport) is tracked per request with
/// ``ExternalWork``: while a request is on the wire or a server is handling it, virtual time
/// stands still; while the server sleeps on the virtual clock (an injected delay, a latency
/// model) the request is *parked* and time may move on, exactly as it would in-process.
public final class Simulation: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: every mutable stored property below is read and written only while
    // `condition` is locked (see `locked(_:)`); `clock` is itself Sendable.
    public let clock: VirtualClock
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var jobHead = 0
    private var external: [UInt64: ExternalState] = [:]
    private var externalPending = 0
    private var externalSequence: UInt64 = 0
    private var finished = false
    /// The driver thread has returned: jobs enqueued from now on (a loopback server still
    /// winding down a request) run on the global executor instead of waiting forever.
    private var drained = false
    /// Loopback requests that reached their server and wait for earlier requests to begin.
    private var turnWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]

    /// Where one request out on a real socket stands. It holds virtual time still while it is
    /// not parked and either its client still waits or its server is still handling it.
    struct ExternalState {
        var clientWaiting = true
        var serverActive = false
        var parked = false
        /// The client gave up (its virtual timeout) and is closing the socket: until that is
        /// done, time stands still even though the server may be parked.
        var clientLeaving = false
        /// The server began handling it on this simulation's executor (see ``awaitServerTurn(_:)``).
        var began = false
        var pending: Bool { (clientWaiting && clientLeaving) || (!parked && (clientWaiting || serverActive)) }
    }

    public init(start: SimTime) {
        clock = VirtualClock(start: start)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let accepted = locked { () -> Bool in
            guard !drained else { return false }
            jobs.append(unowned)
            return true
        }
        if accepted { condition.signal() } else { globalConcurrentExecutor.enqueue(unowned) }
    }

    /// Marks the start of a request on a real socket that will resume a task later; the client
    /// ends it with ``ExternalWork/clientFinished()``.
    public func beginExternal() -> ExternalWork {
        let id = locked { () -> UInt64 in
            externalSequence += 1
            external[externalSequence] = ExternalState()
            externalPending += 1
            return externalSequence
        }
        return ExternalWork(simulation: self, id: id)
    }

    /// Looks up the request a server received by its ``ExternalWork/id``.
    public func externalWork(id: UInt64) -> ExternalWork { ExternalWork(simulation: self, id: id) }

    /// Applies `change` to request `id`'s state, keeping the pending count in step, and lets
    /// any server whose turn has come begin.
    func updateExternal(_ id: UInt64, _ change: (inout ExternalState) -> Void) {
        let ready = locked { () -> [CheckedContinuation<Void, Never>] in
            var state = external[id] ?? ExternalState(clientWaiting: false)
            let wasPending = state.pending
            change(&state)
            externalPending += (state.pending ? 1 : 0) - (wasPending ? 1 : 0)
            if state.clientWaiting || state.serverActive { external[id] = state } else { external[id] = nil }
            return takeReadyTurns()
        }
        condition.signal()
        for waiter in ready { waiter.resume() }
    }

    /// Returns once every request sent before request `id` that its client still waits for has
    /// begun on its server. Requests sent at the same virtual instant reach the loopback servers
    /// in whatever order the sockets deliver them; taking turns in send order makes the fakes see
    /// them in the order the in-process transport hands them over.
    public func awaitServerTurn(_ id: UInt64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = locked { () -> [CheckedContinuation<Void, Never>] in
                turnWaiters[id] = continuation
                return takeReadyTurns()
            }
            for waiter in ready { waiter.resume() }
        }
    }

    /// The waiting servers with no earlier request still on its way; called with the lock held.
    private func takeReadyTurns() -> [CheckedContinuation<Void, Never>] {
        guard !turnWaiters.isEmpty else { return [] }
        let earliestUnstarted = external.lazy.filter { $0.value.clientWaiting && !$0.value.began }.map(\.key).min()
        // Only the earliest waiter may go: the next one waits until this one has begun.
        guard let next = turnWaiters.keys.min(), earliestUnstarted.map({ $0 >= next }) ?? true,
              let waiter = turnWaiters.removeValue(forKey: next) else { return [] }
        return [waiter]
    }

    /// Runs `body` and everything it starts on this simulation until `body` returns.
    public func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let thread = Thread { [self] in
                let outcome = OutcomeBox<T>()
                Task(executorPreference: self) {
                    do { outcome.set(.success(try await body())) } catch { outcome.set(.failure(error)) }
                    self.locked { self.finished = true }
                }
                self.drive()
                self.locked { self.drained = true }
                continuation.resume(with: outcome.get() ?? .failure(SimulationError.stalled(at: self.clock.now)))
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }

    private func drive() {
        while true {
            if let job = nextJob() {
                job.runSynchronously(on: asUnownedTaskExecutor())
                continue
            }
            if locked({ finished }) { return }
            if waitForExternal() { continue }
            if clock.advanceToNextDeadline() { continue }
            if locked({ externalPending > 0 }) { continue }
            return
        }
    }

    private func nextJob() -> UnownedJob? {
        locked {
            guard jobHead < jobs.count else { return nil }
            let job = jobs[jobHead]
            jobHead += 1
            if jobHead > 1024 { jobs.removeFirst(jobHead); jobHead = 0 }
            return job
        }
    }

    /// Blocks while external work is pending and no job is ready. Returns whether it should
    /// look for jobs again; `false` lets the clock advance. There is no patience timeout: a
    /// loopback fake that waits on virtual time parks its request (``ExternalWork``), and a
    /// socket that never answers ends with the real client's own timeout.
    private func waitForExternal() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard externalPending > 0 else { return false }
        while externalPending > 0 && jobHead >= jobs.count && !finished {
            condition.wait()
        }
        return true
    }

    private func locked<R>(_ body: () -> R) -> R {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }
}

/// Why a simulation could not finish.
public enum SimulationError: Error, CustomStringConvertible, Equatable {
    /// Every task was waiting on something that can never happen.
    case stalled(at: SimTime)

    public var description: String {
        switch self {
        case .stalled(let time): "the simulation stalled at \(time): every task is waiting and no timer is due"
        }
    }
}

/// A write-once result shared between the driver thread and the root task.
private final class OutcomeBox<T: Sendable>: Sendable {
    private let value = Mutex<Result<T, any Error>?>(nil)

    func set(_ result: Result<T, any Error>) { value.withLock { $0 = result } }
    func get() -> Result<T, any Error>? { value.withLock { $0 } }
}

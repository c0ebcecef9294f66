import Foundation
import Synchronization

/// A deterministic world: one serial executor and one virtual clock.
///
/// Every task started inside ``run(_:)`` prefers this executor, so all engine and fake code runs
/// on one thread, in FIFO order of readiness: the same scenario interleaves the same way every
/// time. When no job is ready and no external I/O is pending, the clock jumps to the next
/// deadline ("run until idle"). If nothing is ready, nothing is pending and nobody sleeps, the
/// run has stalled and ``run(_:)`` throws ``SimulationError/stalled``.
public final class Simulation: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: every mutable stored property below is read and written only while
    // `condition` is locked (see `locked(_:)`); `clock` is itself Sendable.
    public let clock: VirtualClock
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var jobHead = 0
    private var externalPending = 0
    private var finished = false

    public init(start: SimTime) {
        clock = VirtualClock(start: start)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        locked { jobs.append(unowned) }
        condition.signal()
    }

    /// Marks the start of work outside the simulation (a real socket) that will resume a task later.
    public func beginExternal() { locked { externalPending += 1 } }

    /// Marks the end of work started with ``beginExternal()``.
    public func endExternal() {
        locked { externalPending -= 1 }
        condition.signal()
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
    /// look for jobs again; `false` lets the clock advance. If external work stays silent for
    /// ``externalPatience`` while someone sleeps on the clock, the clock is allowed to advance
    /// (a loopback fake may itself be waiting on virtual time, e.g. an injected delay).
    private func waitForExternal() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard externalPending > 0 else { return false }
        while externalPending > 0 && jobHead >= jobs.count && !finished {
            let deadline = Date(timeIntervalSinceNow: Self.externalPatience)  // wall-clock ok: waiting on real sockets
            if !condition.wait(until: deadline), jobHead >= jobs.count, clock.sleeperCount > 0 { return false }
        }
        return true
    }

    /// Real seconds to wait for external I/O before letting virtual time move on.
    static let externalPatience: TimeInterval = 0.25

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

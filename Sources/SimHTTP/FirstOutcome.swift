import Synchronization

/// The first of several racing results, delivered once to a continuation that may be installed
/// before or after it arrives; later results are ignored. A timer task attached to the race is
/// cancelled as soon as any result is in, so it leaves no sleeper behind on the clock.
final class FirstOutcome<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var result: Result<Value, any Error>?
        var delivered = false
        var timer: Task<Void, Never>?
    }

    private let state = Mutex(State())

    /// Installs the continuation; resumes it at once if a result is already in.
    func install(_ continuation: CheckedContinuation<Value, any Error>) {
        let ready = state.withLock { s -> Result<Value, any Error>? in
            guard let result = s.result, !s.delivered else { s.continuation = continuation; return nil }
            s.delivered = true
            return result
        }
        if let ready { continuation.resume(with: ready) }
    }

    /// Offers a result; only the first one counts.
    func resolve(_ result: Result<Value, any Error>) {
        let (continuation, timer) = state.withLock { s -> (CheckedContinuation<Value, any Error>?, Task<Void, Never>?) in
            guard s.result == nil else { return (nil, nil) }
            s.result = result
            let continuation = s.continuation
            s.continuation = nil
            if continuation != nil { s.delivered = true }
            return (continuation, s.timer)
        }
        timer?.cancel()
        continuation?.resume(with: result)
    }

    /// Attaches the race's timer, cancelling it at once if a result is already in.
    func attach(timer: Task<Void, Never>) {
        let decided = state.withLock { s -> Bool in
            s.timer = timer
            return s.result != nil
        }
        if decided { timer.cancel() }
    }
}

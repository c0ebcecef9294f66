import Foundation

/// The source of time for the engine and the fakes: virtual in scenarios, real in production.
public protocol SimClock: Sendable {
    /// The current time.
    var now: SimTime { get }
    /// Suspends until `deadline`; throws `CancellationError` if the task is cancelled first.
    func sleep(until deadline: SimTime) async throws
}

extension SimClock {
    /// Suspends for `duration` from now.
    public func sleep(for duration: SimDuration) async throws {
        try await sleep(until: now.adding(duration))
    }
}

/// The real clock, for running the engine against the real services.
public struct SystemClock: SimClock {
    public init() {}

    public var now: SimTime {
        SimTime(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))  // wall-clock ok
    }

    public func sleep(until deadline: SimTime) async throws {
        let delay = deadline.milliseconds - now.milliseconds
        if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000) }
    }
}

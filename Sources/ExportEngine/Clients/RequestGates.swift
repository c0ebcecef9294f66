import SimCore
import SimHTTP

/// Admission before each attempt of a request: how the engine lives within a service's limits
/// instead of discovering them through 429s.
protocol RequestGate: Sendable {
    /// Waits until the request may be sent now; throws `CancellationError` if the wait is cancelled.
    func enter() async throws
    /// The attempt ended (an answer, a timeout, a dropped connection, or not sent at all).
    func leave(_ outcome: GateOutcome) async
}

/// How an attempt that passed a gate ended.
enum GateOutcome: Sendable, Equatable {
    case answered(status: Int)
    /// The client gave up waiting; the service may still be working on the request.
    case timedOut
    /// The connection dropped, or the attempt was not sent (the sync ended while it waited).
    case ended
}

/// Mailchimp's 10 simultaneous connections per user (mailchimp.md §4), kept by one gate per API
/// key for every run and call of the engine.
///
/// At most ``ceiling`` requests are in flight (the configuration's `maxConcurrentRequests`, 9 by
/// default, one below the limit for the account's owner). A request the engine timed out on
/// still counts for ``timeoutHold`` (Mailchimp counts requests it is still processing, and its
/// own request timeout is 120 s). The account's other apps share the 10: on a 429 the gate
/// halves its limit, and wins one slot back per `2 × limit` answers without one (additive
/// increase, multiplicative decrease), so the engine backs off without failing the run.
actor ConnectionGate: RequestGate {
    static let timeoutHold = SimDuration.seconds(120)

    let ceiling: Int
    private let clock: any SimClock
    private(set) var limit: Int
    private var inFlight = 0
    /// Until when each timed-out request is presumed to hold its connection.
    private var held: [SimTime] = []
    private var answersSinceChange = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(ceiling: Int, clock: any SimClock) {
        self.ceiling = max(1, ceiling)
        self.limit = max(1, ceiling)
        self.clock = clock
    }

    func enter() async throws {
        while true {
            let now = clock.now
            held.removeAll { $0 <= now }
            if inFlight + held.count < limit {
                inFlight += 1
                return
            }
            if inFlight == 0, let release = held.min() {
                // Only timed-out requests block: wait for the first to be released.
                try await clock.sleep(until: release)
            } else {
                await withCheckedContinuation { waiters.append($0) }
            }
        }
    }

    func leave(_ outcome: GateOutcome) {
        inFlight -= 1
        switch outcome {
        case .answered(429):
            limit = max(1, limit / 2)
            answersSinceChange = 0
        case .answered:
            answersSinceChange += 1
            if limit < ceiling, answersSinceChange >= 2 * limit {
                limit += 1
                answersSinceChange = 0
            }
        case .timedOut:
            held.append(clock.now.adding(Self.timeoutHold))
        case .ended:
            break
        }
        let woken = waiters
        waiters = []
        for waiter in woken { waiter.resume() }
    }
}

/// Mixpanel's query API limits per project (mixpanel.md §6.2): 60 queries in any rolling hour
/// and 5 at once, kept by one gate for every run and call of the engine. A query waits for its
/// turn instead of drawing a 429; the window is kept with ``margin`` to spare, since the service
/// starts its clock when the request arrives.
actor QueryPacer: RequestGate {
    static let perHour = 60
    static let concurrent = 5
    static let margin = SimDuration.seconds(1)

    private let clock: any SimClock
    private var starts: [SimTime] = []
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(clock: any SimClock) {
        self.clock = clock
    }

    func enter() async throws {
        while true {
            let now = clock.now
            starts.removeAll { $0.adding(.hours(1)).adding(Self.margin) <= now }
            if starts.count < Self.perHour && running < Self.concurrent {
                starts.append(now)
                running += 1
                return
            }
            if starts.count >= Self.perHour {
                try await clock.sleep(until: starts[0].adding(.hours(1)).adding(Self.margin))
            } else {
                await withCheckedContinuation { waiters.append($0) }
            }
        }
    }

    func leave(_ outcome: GateOutcome) {
        running -= 1
        let woken = waiters
        waiters = []
        for waiter in woken { waiter.resume() }
    }
}

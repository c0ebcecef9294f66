import Testing
import SimCore
@testable import ExportEngine

/// The engine's own pacing: it stays under Mailchimp's connections per key and Mixpanel's query
/// limits by waiting, and backs off when another client of the key takes connections.
@Suite(.timeLimit(.minutes(2))) struct RequestGateTests {
    static let start = SimTime(seconds: 1_800_000_000)

    /// Enters `count` times at once, each holding its slot for `hold`; returns when each got in,
    /// as seconds after the start.
    static func entryTimes(_ gate: any RequestGate, count: Int, hold: SimDuration, clock: VirtualClock) async throws -> [Int64] {
        try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<count {
                group.addTask {
                    try await gate.enter()
                    let entered = clock.now.seconds - start.seconds
                    try await clock.sleep(for: hold)
                    await gate.leave(.answered(status: 200))
                    return entered
                }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }.sorted()
        }
    }

    @Test func atMostTheCeilingOfRequestsAreInFlightAtOnce() async throws {
        let simulation = Simulation(start: Self.start)
        let gate = ConnectionGate(ceiling: 9, clock: simulation.clock)
        let times = try await simulation.run { try await Self.entryTimes(gate, count: 12, hold: .seconds(1), clock: simulation.clock) }
        #expect(times == Array(repeating: 0, count: 9) + [1, 1, 1])
    }

    @Test func a429HalvesTheLimitAndSteadyAnswersWinItBackOneAtATime() async throws {
        let simulation = Simulation(start: Self.start)
        let gate = ConnectionGate(ceiling: 9, clock: simulation.clock)
        let limits = try await simulation.run { () -> [Int] in
            try await gate.enter()
            await gate.leave(.answered(status: 429))
            var seen = [await gate.limit]
            for _ in 0..<8 {
                try await gate.enter()
                await gate.leave(.answered(status: 200))
            }
            seen.append(await gate.limit)
            return seen
        }
        #expect(limits == [4, 5])
    }

    @Test func aRequestTheEngineTimedOutOnHoldsItsConnectionForTwoMinutes() async throws {
        let simulation = Simulation(start: Self.start)
        let gate = ConnectionGate(ceiling: 1, clock: simulation.clock)
        let entered = try await simulation.run { () -> Int64 in
            try await gate.enter()
            await gate.leave(.timedOut)
            try await gate.enter()
            return simulation.clock.now.seconds - Self.start.seconds
        }
        #expect(entered == 120)
    }

    @Test func theSixthConcurrentQueryWaitsForOneToFinish() async throws {
        let simulation = Simulation(start: Self.start)
        let pacer = QueryPacer(clock: simulation.clock)
        let times = try await simulation.run { try await Self.entryTimes(pacer, count: 6, hold: .seconds(3), clock: simulation.clock) }
        #expect(times == [0, 0, 0, 0, 0, 3])
    }

    @Test func theSixtyFirstQueryOfAnHourWaitsUntilTheFirstLeavesTheWindow() async throws {
        let simulation = Simulation(start: Self.start)
        let pacer = QueryPacer(clock: simulation.clock)
        let times = try await simulation.run { try await Self.entryTimes(pacer, count: 61, hold: .seconds(0), clock: simulation.clock) }
        #expect(times.prefix(60).allSatisfy { $0 == 0 })
        #expect(times.last == 3_601)
    }
}

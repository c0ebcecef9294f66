import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMailchimp

/// Connections cost time: a request holds one of the key's 10 for its service time, and the
/// account's other apps hold some too (mailchimp.md §4).
@Suite(.timeLimit(.minutes(2))) struct ConnectionTimeTests {
    static let slowPing = LatencyModel(rules: [.init(path: "/3.0/ping", base: .seconds(3), jitter: 0)])

    /// Sends `count` pings at once; returns their statuses, sorted, and when the last answered.
    static func burst(_ fixture: MailchimpFixture, _ simulation: Simulation, count: Int) async throws -> ([Int], SimTime) {
        try await simulation.run {
            let statuses = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<count { group.addTask { await fixture.send("GET", "/3.0/ping").status } }
                return await group.reduce(into: [Int]()) { $0.append($1) }
            }
            return (statuses.sorted(), simulation.clock.now)
        }
    }

    @Test func aRequestHoldsItsConnectionForItsServiceTime() async throws {
        let simulation = Simulation(start: MailchimpFixture.start)
        let fixture = try MailchimpFixture(latency: Self.slowPing, clock: simulation.clock)
        let (statuses, finished) = try await Self.burst(fixture, simulation, count: 11)
        #expect(statuses == Array(repeating: 200, count: 10) + [429])
        #expect(finished == MailchimpFixture.start.adding(.seconds(3)))
    }

    @Test func otherClientsOfTheKeyLeaveFewerConnectionsInsideTheirWindow() async throws {
        let simulation = Simulation(start: MailchimpFixture.start)
        let load = OtherClientLoad(connections: 8, from: MailchimpFixture.start, until: MailchimpFixture.start.adding(.hours(1)))
        let fixture = try MailchimpFixture(latency: Self.slowPing, otherClients: [load], clock: simulation.clock)
        let (statuses, _) = try await Self.burst(fixture, simulation, count: 4)
        #expect(statuses == [200, 200, 429, 429])
    }

    @Test func outsideTheirWindowOtherClientsTakeNothing() async throws {
        let simulation = Simulation(start: MailchimpFixture.start)
        let load = OtherClientLoad(connections: 8, from: MailchimpFixture.start.adding(.hours(1)))
        let fixture = try MailchimpFixture(latency: Self.slowPing, otherClients: [load], clock: simulation.clock)
        let (statuses, _) = try await Self.burst(fixture, simulation, count: 10)
        #expect(statuses == Array(repeating: 200, count: 10))
    }
}

import Foundation
import Testing
import SimCore
import SimHTTP
import SimHTTPClient
import SimHTTPServer
@testable import Harness

/// A handler that sleeps on the virtual clock before it answers and records when its work landed.
private struct SlowHandler: HTTPHandler {
    let clock: VirtualClock
    let delay: SimDuration
    let landed: LandedAt

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        do { try await clock.sleep(for: delay) } catch { return HTTPResponse(status: 499) }
        await landed.set(clock.now)
        return .text("done")
    }
}

private actor LandedAt {
    var time: SimTime?
    func set(_ value: SimTime) { time = value }
}

/// What a client saw and when, and when the server's work landed.
private struct Observed: Equatable, Sendable {
    let outcome: String
    let at: SimTime
    let landed: SimTime?
}

@Suite(.timeLimit(.minutes(2))) struct ExternalWorkTests {
    static let start = SimTime(seconds: 1_800_000_000)

    private func observe(loopback: Bool, delay: SimDuration) async throws -> Observed {
        let simulation = Simulation(start: Self.start)
        let landed = LandedAt()
        let handler = SlowHandler(clock: simulation.clock, delay: delay, landed: landed)
        let rig = try await TransportRig.make(loopback: loopback, handler: handler, simulation: simulation, host: "slow.example.com")
        let url = rig.base + "/slow"
        let transport = rig.transport
        let observed = try await simulation.run {
            let outcome: String
            do {
                outcome = "status \(try await transport.send(HTTPRequest(method: "GET", url: url)).status)"
            } catch let error as TransportError {
                outcome = error.kind.rawValue
            }
            let at = simulation.clock.now
            // Let the abandoned request finish, as the real server would.
            try await simulation.clock.sleep(until: simulation.clock.now.adding(.minutes(10)), priority: .timeline)
            return Observed(outcome: outcome, at: at, landed: await landed.time)
        }
        try await rig.tearDown()
        return observed
    }

    @Test(arguments: [false, true])
    func aRequestSlowerThanTheTimeoutFailsAtTheTimeoutAndStillLandsLater(_ loopback: Bool) async throws {
        let observed = try await observe(loopback: loopback, delay: .seconds(150))
        #expect(observed == Observed(outcome: "timed out", at: Self.start.adding(.seconds(120)),
                                     landed: Self.start.adding(.seconds(150))))
    }

    @Test(arguments: [false, true])
    func aDelayedAnswerWithinTheTimeoutArrivesAtItsVirtualTime(_ loopback: Bool) async throws {
        let observed = try await observe(loopback: loopback, delay: .seconds(50))
        #expect(observed == Observed(outcome: "status 200", at: Self.start.adding(.seconds(50)),
                                     landed: Self.start.adding(.seconds(50))))
    }

    @Test(arguments: [false, true])
    func simultaneousRequestsReachTheServerInTheOrderTheyWereSent(_ loopback: Bool) async throws {
        let simulation = Simulation(start: Self.start)
        let arrivals = Arrivals()
        let handler = RecordingHandler(clock: simulation.clock, arrivals: arrivals)
        let rig = try await TransportRig.make(loopback: loopback, handler: handler, simulation: simulation, host: "ordered.example.com")
        let (transport, base) = (rig.transport, rig.base)
        let statuses = try await simulation.run {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<12 {
                    group.addTask { try await transport.send(HTTPRequest(method: "GET", url: "\(base)/\(index)")).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
        }
        try await rig.tearDown()
        #expect(statuses == Array(repeating: 200, count: 12))
        #expect(await arrivals.paths == (0..<12).map { "/\($0)" })
    }
}

/// A transport to `handler`, in-process or through a real loopback server, and what to tear down.
private struct TransportRig {
    let transport: any HTTPTransport
    /// Where requests go: the server's address, or `https://<host>` in-process.
    let base: String
    let server: LoopbackServer?
    let client: AsyncHTTPClientTransport?

    static func make(loopback: Bool, handler: some HTTPHandler, simulation: Simulation, host: String) async throws -> TransportRig {
        guard loopback else {
            let transport = InProcessTransport(timeout: Network.requestTimeout, clock: simulation.clock, executor: simulation) { _ in handler }
            return TransportRig(transport: transport, base: "https://\(host)", server: nil, client: nil)
        }
        let server = try await LoopbackServer.start(handler: ExternalWorkServer(base: handler, simulation: simulation))
        // An own client with more connections per host than the tests send requests at once.
        let client = AsyncHTTPClientTransport(connectionsPerHost: 64)
        return TransportRig(transport: ExternalWorkTransport(base: client, simulation: simulation), base: server.baseURL,
                            server: server, client: client)
    }

    func tearDown() async throws {
        try await client?.shutdown()
        await server?.stop()
    }
}

/// Records the order requests reached it, then holds each for a second of virtual time.
private struct RecordingHandler: HTTPHandler {
    let clock: VirtualClock
    let arrivals: Arrivals

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        await arrivals.append(request.path)
        do { try await clock.sleep(for: .seconds(1)) } catch { return HTTPResponse(status: 499) }
        return .text("done")
    }
}

private actor Arrivals {
    var paths: [String] = []
    func append(_ path: String) { paths.append(path) }
}

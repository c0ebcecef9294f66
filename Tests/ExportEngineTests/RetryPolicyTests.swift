import Foundation
import Synchronization
import Testing
import SimCore
import SimHTTP
@testable import ExportEngine

/// Answers with the scripted statuses in turn and notes when each request arrived.
private final class TimedTransport: HTTPTransport {
    let clock: VirtualClock
    private let state: Mutex<(statuses: [Int], arrivals: [SimTime])>

    init(clock: VirtualClock, statuses: [Int]) {
        self.clock = clock
        state = Mutex((statuses, []))
    }

    var arrivals: [SimTime] { state.withLock { $0.arrivals } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let now = clock.now
        return state.withLock { s in
            s.arrivals.append(now)
            let status = s.statuses.isEmpty ? 200 : s.statuses.removeFirst()
            return HTTPResponse(status: status, body: Data(#"{"error": "scripted"}"#.utf8))
        }
    }
}

/// The waits between tries, per API family (fidelity.md, "Retries").
@Suite(.timeLimit(.minutes(1))) struct RetryPolicyTests {
    static let start = SimTime(iso8601: "2026-06-01T08:00:00Z")!

    private func waits(_ url: String, method: String = "POST", statuses: [Int]) async throws -> [Int64] {
        let simulation = Simulation(start: Self.start)
        let transport = TimedTransport(clock: simulation.clock, statuses: statuses)
        let sender = APISender(transport: transport, clock: simulation.clock, seed: 7, onSend: {})
        _ = try await simulation.run { try await sender.send(HTTPRequest(method: method, url: url)) }
        let arrivals = transport.arrivals
        return zip(arrivals, arrivals.dropFirst()).map { $1.duration(since: $0).milliseconds }
    }

    /// mixpanel.md §5.2: from 2 s, doubling up to 60 s, plus 1–5 s of jitter, on 429 and 5xx.
    @Test(arguments: [429, 503])
    func mixpanelIngestionBacksOffFromTwoSecondsWithOneToFiveSecondsOfJitter(_ status: Int) async throws {
        let waits = try await waits("https://api.mixpanel.com/import?strict=1", statuses: [status, status, status])
        #expect(waits.count == 3)
        for (index, wait) in waits.enumerated() {
            let nominal = Int64(2_000) << index
            #expect((nominal + 1_000)...(nominal + 5_000) ~= wait, "try \(index + 2) waited \(wait) ms")
        }
    }

    @Test func mailchimpRateLimitsBackOffFromOneSecond() async throws {
        let waits = try await waits("https://us6.api.mailchimp.com/3.0/lists/abc", statuses: [429, 429])
        #expect(waits.count == 2)
        #expect((1_000..<2_000) ~= waits[0] && (2_000..<3_000) ~= waits[1], "\(waits)")
    }

    @Test func theQueryAPIsRateLimitBacksOffFromAMinute() async throws {
        let waits = try await waits("https://mixpanel.com/api/query/engage", statuses: [429])
        #expect(waits.count == 1)
        #expect((60_000..<61_000) ~= waits[0], "\(waits)")
    }
}

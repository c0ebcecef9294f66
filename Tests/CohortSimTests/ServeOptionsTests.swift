import Foundation
import SimCore
import SimHTTP
import SimHTTPClient
import Testing
@testable import Harness

/// `cohortsim serve` applies the scenario's faults (moved to start with the server) and limits.
@Suite(.timeLimit(.minutes(2))) struct ServeOptionsTests {
    @Test func aServedScenariosFaultsAnswerFromTheServersStart() async throws {
        let parsed = try scenario("""
            name: storm
            start: 2026-03-02T09:00:00Z
            mailchimp:
              faults:
                - {path: /3.0/ping, status: 503, until: 2026-03-02T10:00:00Z}
            steps: []
            """)
        let servers = try await FakeServers.start(scenario: parsed, clock: SystemClock())
        let transport = AsyncHTTPClientTransport()
        let key = parsed.mailchimp.apiKey
        let ping = try await transport.send(HTTPRequest(method: "GET", url: servers.mailchimpServer.baseURL + "/3.0/ping",
                                                        headers: ["Authorization": "Bearer \(key)"]))
        await servers.stop()
        // The window ends an hour after the scenario's start, so an hour after the server's.
        #expect(ping.status == 503, "\(ping.status) \(ping.bodyText)")
    }
}

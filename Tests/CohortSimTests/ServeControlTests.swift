import Foundation
import SimCore
import SimHTTP
import SimHTTPClient
import Testing
@testable import Harness

/// `cohortsim serve`'s admin API: journal, faults, clock and reset, and unmatched-request hints.
@Suite(.timeLimit(.minutes(2))) struct ServeControlTests {
    static let yaml = """
        name: control
        start: 2026-03-02T09:00:00Z
        mailchimp:
          faults:
            - {path: /3.0/ping, status: 503, until: 2026-03-02T10:00:00Z}
        steps: []
        """

    /// The servers, a client, and helpers for the fake Mailchimp and the admin API.
    struct Rig {
        let servers: FakeServers
        let client = AsyncHTTPClientTransport()

        static func start(_ yaml: String = ServeControlTests.yaml) async throws -> Rig {
            let parsed = try ScenarioParser.parse(yaml, file: "control.yaml", id: "control")
            return Rig(servers: try await FakeServers.start(scenario: parsed, clock: SystemClock()))
        }

        func mailchimp(_ path: String) async throws -> HTTPResponse {
            try await client.send(HTTPRequest(method: "GET", url: servers.mailchimpServer.baseURL + path,
                                              headers: ["Authorization": "Bearer \(servers.scenario.mailchimp.apiKey)"]))
        }

        func admin(_ method: String, _ path: String, _ body: String = "") async throws -> HTTPResponse {
            try await client.send(HTTPRequest(method: method, url: servers.adminServer.baseURL + path, body: Data(body.utf8)))
        }

        func stop() async throws {
            try await client.shutdown()
            await servers.stop()
        }
    }

    @Test func theJournalListsEveryServedRequestWithItsOutcome() async throws {
        let rig = try await Rig.start()
        _ = try await rig.mailchimp("/3.0/ping")
        _ = try await rig.mailchimp("/3.0/lists")
        let journal = try await rig.admin("GET", "/__admin/requests?service=mailchimp")
        try await rig.stop()
        let entries = journal.json?["requests"]?.arrayValue ?? []
        #expect(entries.map { $0["path"]?.stringValue ?? "" } == ["/3.0/ping", "/3.0/lists"], "\(journal.bodyText)")
        #expect(entries.map { $0["outcome"]?.stringValue ?? "" } == ["503", "200"])
    }

    @Test func anUnmatchedRequestGetsTheReal404AndTheNearestRoute() async throws {
        let rig = try await Rig.start()
        let response = try await rig.mailchimp("/3.0/listz")
        let journal = try await rig.admin("GET", "/__admin/requests")
        try await rig.stop()
        #expect(response.status == 404)
        #expect(response.json?["title"]?.stringValue == "Resource Not Found", "\(response.bodyText)")
        #expect(response.headers[nearestRouteHeader] == "GET /3.0/lists")
        #expect(journal.json?["requests"]?.arrayValue?.first?["nearest_route"]?.stringValue == "GET /3.0/lists")
    }

    @Test func addedFaultsAnswerUntilCleared() async throws {
        let rig = try await Rig.start()
        let added = try await rig.admin("POST", "/__admin/faults", #"{"mailchimp": [{"path": "/3.0/lists", "status": 500}]}"#)
        let faulted = try await rig.mailchimp("/3.0/lists")
        _ = try await rig.admin("DELETE", "/__admin/faults")
        let cleared = try await rig.mailchimp("/3.0/lists")
        let ping = try await rig.mailchimp("/3.0/ping")
        try await rig.stop()
        #expect(added.status == 200, "\(added.bodyText)")
        #expect(faulted.status == 500)
        #expect(cleared.status == 200)
        #expect(ping.status == 200, "clearing removes the scenario's rules too")
    }

    @Test func advancingTheClockLeavesAScenarioFaultWindow() async throws {
        let rig = try await Rig.start()
        let before = try await rig.mailchimp("/3.0/ping")
        let advanced = try await rig.admin("POST", "/__admin/clock/advance", #"{"by": "2h"}"#)
        let after = try await rig.mailchimp("/3.0/ping")
        try await rig.stop()
        #expect(before.status == 503)
        #expect(advanced.json?["advanced_ms"]?.intValue == 7_200_000, "\(advanced.bodyText)")
        #expect(after.status == 200)
    }

    @Test func resetRestoresTheScenariosFaultsClockAndAnEmptyJournal() async throws {
        let rig = try await Rig.start()
        _ = try await rig.admin("POST", "/__admin/clock/advance", #"{"by": "2h"}"#)
        _ = try await rig.mailchimp("/3.0/ping")
        let reset = try await rig.admin("POST", "/__admin/reset")
        let journal = try await rig.admin("GET", "/__admin/requests")
        let ping = try await rig.mailchimp("/3.0/ping")
        try await rig.stop()
        #expect(reset.status == 200, "\(reset.bodyText)")
        #expect(journal.json?["requests"]?.arrayValue?.isEmpty == true)
        #expect(ping.status == 503)
    }

    @Test func aBadAdminRequestSaysWhereAndWhy() async throws {
        let rig = try await Rig.start()
        let unknownKey = try await rig.admin("POST", "/__admin/faults", #"{"mailchimp": [{"path": "/3.0/ping", "stauts": 500}]}"#)
        let noSuchRoute = try await rig.admin("GET", "/__admin/request")
        try await rig.stop()
        #expect(unknownKey.status == 400)
        #expect(unknownKey.json?["error"]?.stringValue?.contains("did you mean 'status'") == true, "\(unknownKey.bodyText)")
        #expect(noSuchRoute.status == 404)
        #expect(noSuchRoute.headers[nearestRouteHeader] == "GET /__admin/requests")
    }

    @Test func theAdminAPIStaysOnLoopback() async throws {
        let rig = try await Rig.start()
        let description = try rig.servers.description()
        try await rig.stop()
        #expect(rig.servers.adminServer.host == "127.0.0.1")
        #expect(description["admin"]?["url"]?.stringValue?.hasPrefix("http://127.0.0.1:") == true)
    }
}

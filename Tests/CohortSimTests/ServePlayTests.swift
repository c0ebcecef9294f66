import Foundation
import SimCore
import SimHTTP
import SimHTTPClient
import Testing
@testable import Harness

/// `cohortsim serve --play` / `--until-step N`: the timeline is played on virtual time before the
/// fakes serve real clients.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ServePlayTests {
    static let yaml = """
        name: played
        start: 2026-10-05T09:00:00Z
        mixpanel:
          profiles:
            - {distinct_id: u1, properties: {$email: bouncy@freddiesjokes.com}}
            - {distinct_id: u2, properties: {$email: fine@freddiesjokes.com}}
          cohorts:
            - {id: 704, name: Readers, definition: {ids: [u1, u2]}}
        mailchimp:
          audiences: [{name: Readers}]
          faults:
            - {path: /3.0/campaigns, status: 503, until: 2026-10-05T10:00:00Z}
        steps:
          - connect: {}
          - export: {cohort: Readers, audience: Readers, mode: dynamic}
          - campaign:
              audience: Readers
              subject: Issue 1
              activity:
                - {email: bouncy@freddiesjokes.com, action: bounce, bounce: hard}
          - wait: 2h
          - expect:
              member: {audience: Readers, email: bouncy@freddiesjokes.com, status: cleaned}
        """

    func get(_ servers: FakeServers, _ path: String) async throws -> HTTPResponse {
        let transport = AsyncHTTPClientTransport()
        let response = try await transport.send(HTTPRequest(method: "GET", url: servers.mailchimpServer.baseURL + path,
                                                            headers: ["Authorization": "Bearer \(servers.scenario.mailchimp.apiKey)"]))
        try await transport.shutdown()
        return response
    }

    @Test func playingEveryStepServesTheExportedMembersAndTheCampaign() async throws {
        let played = try await ScenarioRunner.play(try scenario(Self.yaml))
        #expect(played.stepsPlayed == 5 && played.expectationFailures.isEmpty, "\(played.expectationFailures)")
        // Two hours of waiting plus the requests' simulated latency.
        let end = try #require(SimTime(iso8601: "2026-10-05T11:00:00Z"))
        #expect(played.end >= end && played.end < end.adding(.minutes(5)), "\(played.end)")
        let servers = try await FakeServers.start(played: played)
        let list = try #require(try servers.description()["mailchimp"]?["audiences"]?.arrayValue?.first?["id"]?.stringValue)
        let members = try await get(servers, "/3.0/lists/\(list)/members")
        let campaigns = try await get(servers, "/3.0/campaigns")
        await servers.stop()
        let body = try JSONValue(parsing: members.bodyText)
        #expect(body["total_items"]?.intValue == 2, "\(members.bodyText)")
        #expect(members.bodyText.contains("\"cleaned\""))
        #expect(try JSONValue(parsing: campaigns.bodyText)["total_items"]?.intValue == 1, "\(campaigns.bodyText)")
    }

    @Test func untilStepStopsBeforeTheRestOfTheTimeline() async throws {
        let played = try await ScenarioRunner.play(try scenario(Self.yaml), untilStep: 1)
        let servers = try await FakeServers.start(played: played)
        let list = try #require(try servers.description()["mailchimp"]?["audiences"]?.arrayValue?.first?["id"]?.stringValue)
        let members = try await get(servers, "/3.0/lists/\(list)/members")
        let info = try servers.description()
        await servers.stop()
        #expect(try JSONValue(parsing: members.bodyText)["total_items"]?.intValue == 0, "\(members.bodyText)")
        #expect(info["played"]?["steps"]?.intValue == 1)
        #expect(info["played"]?["of"]?.intValue == 5)
        #expect(info["played"]?["timeline"]?.arrayValue?.count == 1)
    }

    @Test func aStepNumberPastTheTimelineIsRefused() async throws {
        await #expect(throws: ScenarioError.self) { try await ScenarioRunner.play(try scenario(Self.yaml), untilStep: 6) }
    }

    @Test func faultWindowsKeepTheirScenarioTimesAfterPlaying() async throws {
        // The 503 window ends at 10:00 scenario time; the timeline reached 11:00, so campaigns answer.
        let servers = try await FakeServers.start(played: try await ScenarioRunner.play(try scenario(Self.yaml)))
        let after = try await get(servers, "/3.0/campaigns")
        await servers.stop()
        #expect(after.status == 200, "\(after.status) \(after.bodyText)")
        // Played only to step 1 (still 09:00 scenario time), the window is open.
        let early = try await FakeServers.start(played: try await ScenarioRunner.play(try scenario(Self.yaml), untilStep: 1))
        let during = try await get(early, "/3.0/campaigns")
        await early.stop()
        #expect(during.status == 503, "\(during.status) \(during.bodyText)")
    }
}

/// ``HandoffClock``: virtual until handed off, then real time from where virtual time stood.
@Suite(.timeLimit(.minutes(1))) struct HandoffClockTests {
    @Test func afterTheHandoffTimeCarriesOnFromTheVirtualInstant() async throws {
        let virtual = VirtualClock(start: SimTime(milliseconds: 1_000_000))
        let clock = HandoffClock(virtual: virtual)
        virtual.set(SimTime(milliseconds: 5_000_000))
        #expect(clock.now == SimTime(milliseconds: 5_000_000))
        clock.handOff()
        try await clock.sleep(for: SimDuration(milliseconds: 20))
        #expect(clock.now.milliseconds >= 5_000_020 && clock.now.milliseconds < 5_060_000)
        clock.stop()
    }

    @Test func aSleeperLeftOnTheVirtualClockWakesInRealTime() async throws {
        let virtual = VirtualClock(start: SimTime(milliseconds: 0))
        let clock = HandoffClock(virtual: virtual)
        let sleeper = Task { try await virtual.sleep(until: SimTime(milliseconds: 30)) }
        while virtual.sleeperCount == 0 { await Task.yield() }
        clock.handOff()
        try await sleeper.value
        #expect(clock.now.milliseconds >= 30)
        clock.stop()
    }
}

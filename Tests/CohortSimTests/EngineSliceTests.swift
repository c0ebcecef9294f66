import Testing
@testable import Harness

@Suite(.timeLimit(.minutes(2))) struct EngineSliceTests {
    @Test func oneTimeExportTagsOnlyIdentifiedUsersWithEmail() async throws {
        let text = try await outcome("""
        name: slice
        mixpanel:
          profiles:
            - {distinct_id: a, properties: {$email: A@FreddiesJokes.com}}
            - {distinct_id: b, properties: {$first_name: B}}
          events:
            - {event: Visit, distinct_id: anon-1}
          cohorts:
            - {id: 1, name: Visitors, definition: {any: [{ids: [a, b]}, {did: {event: Visit}}]}}
        mailchimp:
          audiences: [{name: News}]
        steps:
          - connect: {}
          - export: {cohort: Visitors, audience: News}
        """)
        #expect(text.contains("cohort 1 \"Visitors\": 3 members: a, anon-1, b"))
        #expect(text.contains("  A@FreddiesJokes.com subscribed tags=[Visitors]"))
        #expect(text.contains("  skip b (no-email)"))
        #expect(!text.contains("anon-1 ("))
        #expect(text.contains("cohort 2, exported 1, added 1, removed 0, unchanged 0"))
    }

    @Test func dynamicSyncRemovesTheTagWhenAMemberLeaves() async throws {
        let text = try await outcome("""
        name: leave
        mixpanel:
          profiles:
            - {distinct_id: a, properties: {$email: a@freddiesjokes.com, plan: pro}}
            - {distinct_id: b, properties: {$email: b@freddiesjokes.com, plan: pro}}
          cohorts:
            - {id: 1, name: Pro, definition: {property: {name: plan, operator: equals, value: pro}}}
          latency: off
        mailchimp:
          audiences: [{name: News}]
          latency: off
        steps:
          - connect: {}
          - export: {cohort: Pro, audience: News, mode: dynamic}
          - set_profile: {distinct_id: b, set: {plan: free}}
          - wait: 2h
        """)
        #expect(text.contains("run 2: sync 1, scheduled, 2026-01-05T11:00:00Z"))
        #expect(text.contains("  b@freddiesjokes.com subscribed\n"))
        #expect(text.contains("  a@freddiesjokes.com subscribed tags=[Pro]"))
        #expect(text.contains("cohort 1, exported 1, added 0, removed 1, unchanged 1"))
        #expect(text.contains("  remove b b@freddiesjokes.com"))
        #expect(text.contains("next run 2026-01-05T13:00:00Z"))
    }

    /// With latency off, every request is answered at once and the slots are the round hours.
    @Test func waitFiresEveryScheduledRunInTimeOrder() async throws {
        let text = try await outcome("""
        name: schedule
        mixpanel:
          profiles: [{distinct_id: a, properties: {$email: a@freddiesjokes.com}}]
          cohorts: [{id: 1, name: All, definition: {ids: [a]}}]
          latency: off
        mailchimp:
          audiences: [{name: News}]
          latency: off
        steps:
          - connect: {}
          - export: {cohort: All, audience: News, mode: dynamic}
          - wait: 7h
        """)
        let runLines = text.split(separator: "\n").filter { $0.hasPrefix("run ") }
        #expect(runLines.count == 4)
        #expect(runLines.map { String($0.split(separator: ",")[2]).trimmingWhitespace() }.map { String($0.prefix(20)) }
                == ["2026-01-05T09:00:00Z", "2026-01-05T11:00:00Z", "2026-01-05T13:00:00Z", "2026-01-05T15:00:00Z"])
    }

    @Test func requestCountStaysAtTheLowerBoundForAThousandTwoHundredMembers() async throws {
        let text = try await outcome(largeCohortYAML(count: 1200))
        // ⌈1200/500⌉ batch subscribes + ⌈1200/500⌉ tag updates + tag-search + tag creation.
        #expect(text.contains("requests: mailchimp 8, mixpanel 3"))
        #expect(text.contains("tag \"Everyone\": 1200 contacts"))
    }

    @Test func wrongAPIKeyIsReportedAndNothingIsExported() async throws {
        let text = try await outcome("""
        name: bad key
        mixpanel:
          cohorts: [{id: 1, name: All, definition: {ids: [a]}}]
        mailchimp:
          audiences: [{name: News}]
        steps:
          - connect: {api_key: ffffffffffffffffffffffffffffffff-us6}
          - export: {cohort: All, audience: News}
        """)
        #expect(text.contains("connect: Not connected: HTTP 401 API Key Invalid"))
        #expect(text.contains("paused"))
        #expect(!text.contains("ffffffffffffffffffffffffffffffff"))
    }

    @Test func unknownCohortInAStepIsAStepError() async throws {
        await #expect(throws: StepError.self) {
            _ = try await outcome("""
            name: typo
            mailchimp:
              audiences: [{name: News}]
            steps:
              - connect: {}
              - export: {cohort: Nope, audience: News}
            """)
        }
    }
}

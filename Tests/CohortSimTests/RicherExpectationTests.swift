import Testing
@testable import Harness

/// `expect`'s counts by reason, MTU, request counts and absence, request bodies and snapshots:
/// each true fact passes and each false one fails with a message that says what differs.
@Suite(.timeLimit(.minutes(2))) struct RicherExpectationTests {
    /// ann is exported, bo has no email; the sync is stopped at 3h. `checks` is the last step.
    func failures(_ checks: String) async throws -> [String] {
        let outcome = try await ScenarioRunner().run(try scenario("""
        name: rich
        start: 2026-03-02T09:00:00Z
        mixpanel:
          profiles:
            - {distinct_id: ann, properties: {$email: ann@freddiesjokes.com}}
            - {distinct_id: bo, properties: {$first_name: Bo}}
          events: [{event: Login, distinct_id: ann, time: -1h}]
          cohorts: [{id: 1, name: All, definition: {ids: [ann, bo]}}]
        mailchimp:
          audiences: [{name: News}]
        steps:
          - connect: {}
          - export: {cohort: All, audience: News, mode: dynamic}
          - wait: 3h
          - stop_export: {cohort: All, audience: News}
          - wait: 3h
          - expect:
        \(checks)
        """))
        return outcome.expectationFailures
    }

    @Test func trueFactsOfEveryNewKindPass() async throws {
        let found = try await failures("""
                  - run: {number: 1, skipped: {no-email: 1, invalid-email: 0}, rejected: {Invalid Resource: 0}}
                  - mtu: {month: 2026-03, users: 1}
                  - requests: {service: mailchimp, after: 3h1s, none: true}
                  - requests: {service: mailchimp, method: POST, path: /3.0/lists/*, body: {update_existing: false}, count: 1}
                  - requests: {service: mixpanel, path: /api/query/**, at_least: 2}
                  - snapshot: {cohort: All, audience: News, count: 1, contains: [ANN@freddiesjokes.com], lacks: [bo@freddiesjokes.com]}
        """)
        #expect(found.isEmpty, "\(found)")
    }

    @Test func aWrongCountByReasonNamesTheReasonAndTheActualCounts() async throws {
        let found = try await failures("      - run: {number: 1, skipped: {no-email: 2}}")
        #expect(found.count == 1)
        #expect(found.first?.hasSuffix("expectation failed: run 1 skipped 1 for no-email, expected 2 (all: no-email 1)") == true, "\(found)")
    }

    @Test func aWrongMTUCountNamesTheMonth() async throws {
        let found = try await failures("      - mtu: {month: 2026-03, users: 3}")
        #expect(found.first?.hasSuffix("expectation failed: mtu 2026-03: 1 user(s), expected 3") == true, "\(found)")
    }

    @Test func aRequestThatShouldNotHappenIsNamed() async throws {
        let found = try await failures("      - requests: {service: mailchimp, path: /3.0/lists/**, none: true}")
        let message = found.first ?? ""
        #expect(message.contains("request(s) to mailchimp any method /3.0/lists/**, expected 0; the first: 2026-03-02T09:00:"), "\(found)")
        #expect(message.contains("mailchimp GET /3.0/lists/"), "\(found)")
    }

    @Test func aBodyFieldThatDiffersMatchesNoRequest() async throws {
        let found = try await failures("      - requests: {service: mailchimp, method: POST, path: /3.0/lists/*, body: {update_existing: true}, count: 1}")
        #expect(found.first?.hasSuffix(#"expectation failed: 0 request(s) to mailchimp POST /3.0/lists/* with body {"update_existing":true}, expected 1"#) == true, "\(found)")
    }

    @Test func aSnapshotThatLacksAnAddressSaysWhich() async throws {
        let found = try await failures("      - snapshot: {cohort: All, audience: News, contains: [bo@freddiesjokes.com]}")
        #expect(found.first?.hasSuffix("expectation failed: the snapshot of cohort All to News lacks bo@freddiesjokes.com") == true, "\(found)")
    }

    @Test func aRequestsExpectationWithoutACountIsAParseError() throws {
        #expect(throws: ScenarioError.self) {
            _ = try scenario("name: x\nsteps:\n  - expect:\n      requests: {service: mailchimp}\n")
        }
    }
}

import SimCore
import Testing
@testable import Harness

@Suite(.timeLimit(.minutes(2))) struct ScenarioParserTests {
    let valid = """
    name: ok
    seed: 4
    start: 2026-03-02T09:00:00Z
    mixpanel:
      cohorts:
        - {id: 1, name: A, definition: {ids: [u1]}}
    mailchimp:
      audiences:
        - name: News
    steps:
      - connect: {}
      - export: {cohort: A, audience: News, mode: dynamic}
      - wait: 2h
      - set_profile: {distinct_id: u1, set: {$email: a@freddiesjokes.com}}
    """

    @Test func validScenarioParsesEveryStep() throws {
        let parsed = try scenario(valid)
        #expect(parsed.seed == 4)
        #expect(parsed.steps.count == 4)
        #expect(parsed.steps[1].action == .export(cohort: "A", audience: "News", mode: .dynamic))
        #expect(parsed.steps[2].action == .wait(.hours(2)))
        #expect(parsed.steps[2].line == 13)
    }

    @Test func resumeAndNewAPIKeyStepsParse() throws {
        let text = valid + "\n  - new_api_key: {api_key: k-us6}\n  - resume: {cohort: A, audience: News}"
        let parsed = try scenario(text)
        #expect(parsed.steps[4].action == .newAPIKey("k-us6"))
        #expect(parsed.steps[5].action == .resume(cohort: "A", audience: "News"))
    }

    @Test func resumeNeedsTheAudience() throws {
        let text = valid + "\n  - resume: {cohort: A}"
        let error = try #require(throws: ScenarioError.self) { try ScenarioParser.parse(text, file: "s/r.yaml", id: "r") }
        #expect(error.message.contains("audience"))
    }

    @Test func typoInStepKeyNamesFileLineAndColumn() throws {
        let text = valid.replacingOccurrences(of: "export: {cohort: A", with: "export: {cohrt: A")
        let error = try #require(throws: ScenarioError.self) { try ScenarioParser.parse(text, file: "s/typo.yaml", id: "typo") }
        #expect(error.file == "s/typo.yaml")
        #expect(error.line == 12)
        #expect(error.column == 14)
        #expect(error.message.contains("unknown key 'cohrt'"))
        #expect(error.message.contains("did you mean 'cohort'?"))
        #expect(error.description.hasPrefix("s/typo.yaml:12:14: "))
    }

    @Test func unknownTopLevelKeyIsAnError() throws {
        let error = try #require(throws: ScenarioError.self) { try scenario("nmae: x\nsteps: []\n") }
        #expect(error.line == 1 && error.column == 1)
        #expect(error.message.contains("did you mean 'name'?"))
    }

    @Test func wrongTypeIsAnErrorWithPosition() throws {
        let text = valid.replacingOccurrences(of: "seed: 4", with: "seed: four")
        let error = try #require(throws: ScenarioError.self) { try scenario(text) }
        #expect(error.line == 2)
        #expect(error.column == 7)
        #expect(error.message.contains("seed must be an integer"))
    }

    @Test func refusedDomainsReachTheMailchimpWorld() throws {
        let text = valid.replacingOccurrences(of: "mailchimp:\n", with: "mailchimp:\n  refused_domains: [Mailinator.com]\n")
        let parsed = try scenario(text)
        #expect(parsed.mailchimp.refusedDomains == ["mailinator.com"])
        #expect(parsed.mailchimp.refusedAddresses.refuses("a@mailinator.com"))
    }

    @Test func aRefusedDomainWithAnAtSignSaysWhereAndWhy() throws {
        let text = valid.replacingOccurrences(of: "mailchimp:\n", with: "mailchimp:\n  refused_domains: [a@mailinator.com]\n")
        let error = try #require(throws: ScenarioError.self) { try scenario(text) }
        #expect(error.line == 8)
        #expect(error.message.contains("mailchimp.refused_domains[0] must be a domain name such as mailinator.com"))
    }

    @Test func badEnumValueListsTheChoices() throws {
        let text = valid.replacingOccurrences(of: "mode: dynamic", with: "mode: hourly")
        let error = try #require(throws: ScenarioError.self) { try scenario(text) }
        #expect(error.message.contains("one-time, dynamic"))
    }

    @Test func badDurationIsAnError() throws {
        let text = valid.replacingOccurrences(of: "wait: 2h", with: "wait: two hours")
        let error = try #require(throws: ScenarioError.self) { try scenario(text) }
        #expect(error.line == 13)
        #expect(error.message.contains("duration"))
    }

    @Test func yamlSyntaxErrorHasAPosition() throws {
        let error = try #require(throws: ScenarioError.self) { try scenario("name: [unclosed\nsteps: []\n") }
        #expect(error.line >= 1)
        #expect(error.message.hasPrefix("YAML"))
    }

    @Test func missingRequiredKeyIsNamed() throws {
        let error = try #require(throws: ScenarioError.self) { try scenario("name: x\n") }
        #expect(error.message.contains("missing required key 'steps'"))
    }

    @Test func quotedNumbersStayStrings() throws {
        let parsed = try scenario("""
        name: x
        mixpanel:
          profiles:
            - {distinct_id: "42", properties: {plan: "7", visits: 7}}
        steps: []
        """)
        #expect(parsed.mixpanel.profiles[0].distinctID == "42")
        #expect(parsed.mixpanel.profiles[0].properties["plan"] == .string("7"))
        #expect(parsed.mixpanel.profiles[0].properties["visits"] == .int(7))
    }

    /// `track.time` takes what `mixpanel.events[].time` takes: an ISO time or an offset from `start`.
    @Test func trackTimeTakesAnOffsetFromTheStartLikeWorldEvents() throws {
        let parsed = try ScenarioParser.parse("""
            name: t
            start: 2026-03-10T00:00:00Z
            steps:
              - track: {event: Purchase, distinct_id: pia, time: -2d}
              - track: {event: Purchase, distinct_id: pia, time: 2026-03-01T12:00:00Z}
            """, file: "t.yaml", id: "t")
        guard case .track(_, _, let first) = parsed.steps[0].action, case .track(_, _, let second) = parsed.steps[1].action else {
            Issue.record("expected two track steps"); return
        }
        #expect(first == SimTime(iso8601: "2026-03-08T00:00:00Z"))
        #expect(second == SimTime(iso8601: "2026-03-01T12:00:00Z"))
        #expect(throws: ScenarioError.self) {
            try ScenarioParser.parse("name: t\nsteps:\n  - track: {event: P, distinct_id: p, time: yesterday}\n", file: "t.yaml", id: "t")
        }
    }
}

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Harness

@Suite(.timeLimit(.minutes(2))) struct HarnessFeatureTests {
    let runner = SuiteRunner(scenarioRoot: "\(packageRoot)/scenarios", goldenRoot: "\(packageRoot)/golden", mode: .never)

    func checkedIn() throws -> [Scenario] {
        runner.load(try runner.discover(["\(packageRoot)/scenarios"])).scenarios
    }

    @Test func filterMatchesIdPathOrName() throws {
        let all = try checkedIn()
        let selected = try all.filter { try SuiteRunner.Selection(filter: "^export/one-time-b").includes($0) }
        #expect(selected.map(\.id) == ["export/one-time-basic"])
        let byName = try all.filter { try SuiteRunner.Selection(filter: "^Anonymous user is never").includes($0) }
        #expect(byName.map(\.id) == ["export/anonymous-user-not-exported"])
    }

    @Test func tagSelectsTaggedScenarios() throws {
        let selected = try checkedIn().filter { try SuiteRunner.Selection(tag: "dynamic").includes($0) }
        #expect(!selected.isEmpty)
        #expect(selected.allSatisfy { $0.tags.contains("dynamic") })
    }

    @Test func shardsPartitionTheSuiteStably() throws {
        let all = try checkedIn()
        var seen: [String] = []
        for index in 1...3 {
            seen += try all.filter { try SuiteRunner.Selection(shard: (index, 3)).includes($0) }.map(\.id)
        }
        #expect(seen.sorted() == all.map(\.id).sorted())
        #expect(SuiteRunner.Selection.parseShard("2/4")! == (2, 4))
        #expect(SuiteRunner.Selection.parseShard("5/4") == nil)
        #expect(SuiteRunner.Selection.parseShard("0/4") == nil)
    }

    @Test func twoJobsGiveTheSameResultsAsOne() async throws {
        let scenarios = Array(try checkedIn().filter { !$0.tags.contains("limits") }.prefix(6))
        let serial = await runner.run(scenarios, jobs: 1)
        let parallel = await runner.run(scenarios, jobs: 2)
        #expect(serial == parallel)
        #expect(serial.allSatisfy { $0.seconds > 0 }, "each result carries the time its replay took")
        // Identical but for the wall-clock `time` attributes.
        func untimed(_ xml: String) -> String { xml.replacingOccurrences(of: #"time="[0-9.]+""#, with: "time=\"\"", options: .regularExpression) }
        #expect(untimed(JUnitReport.xml(.init(results: serial))) == untimed(JUnitReport.xml(.init(results: parallel))))
        #expect(serial.allSatisfy { $0.passed }, "\(serial.filter { !$0.passed }.map(\.scenarioID))")
    }

    @Test func junitReportParsesBackWithOneCasePerScenario() throws {
        let results: [SuiteRunner.Result] = [
            .init(scenarioID: "a/ok", file: "scenarios/a/ok.yaml", seed: 1, verdict: .passed, error: nil, seconds: 1.25),
            .init(scenarioID: "a/bad", file: "scenarios/a/bad.yaml", seed: 1, verdict: .mismatch(diff: "-x <y>\n+z & w\n"), error: nil),
        ]
        let xml = JUnitReport.xml(.init(results: results, orphans: ["stale/old"]))
        let parsed = try JUnitParse(xml)
        #expect(parsed.cases == ["ok", "bad", "stale/old"])
        #expect(parsed.failures == 2)
        #expect(parsed.failureTexts.first?.contains("-x <y>\n+z & w") == true)
        #expect(parsed.suiteFailures == "2")
        #expect(xml.contains(#"name="ok" file="scenarios/a/ok.yaml" time="1.250""#), "each case carries its time")
        #expect(xml.contains(#"skipped="0" time="1.250""#), "the suite carries the total")
    }

    @Test func failedInlineExpectationFailsTheScenarioWithItsLine() async throws {
        let outcome = try await ScenarioRunner().run(try scenario("""
        name: expect
        mixpanel:
          profiles: [{distinct_id: a, properties: {$email: a@freddiesjokes.com}}]
          cohorts: [{id: 1, name: All, definition: {ids: [a]}}]
        mailchimp:
          audiences: [{name: News}]
        steps:
          - connect: {}
          - export: {cohort: All, audience: News}
          - expect:
              member: {audience: News, email: a@freddiesjokes.com, status: subscribed, tags: [All]}
              tag: {audience: News, name: All, count: 1}
              run: {number: 1, outcome: succeeded, added: 1}
          - expect:
              member: {audience: News, email: a@freddiesjokes.com, status: unsubscribed, lacks_tag: All}
        """))
        #expect(outcome.expectationFailures.count == 1)
        #expect(outcome.expectationFailures.first?.hasPrefix("test/inline.yaml:14: step 4: expectation failed: a@freddiesjokes.com has status subscribed") == true)
    }

    @Test func loopbackHTTPGivesTheSameOutcomeAsInProcess() async throws {
        let sample: Set<String> = ["export/one-time-basic", "dynamic/join-and-leave", "faults/429-storm-then-recovers",
                                   "faults/crash-after-tag-update", "compliance/unsubscribed-by-contact-re-enters-cohort",
                                   "mtu/campaign-only-users-not-counted"]
        for scenario in try checkedIn().filter({ sample.contains($0.id) }) {
            let divergence = try await DeterminismCheck.check(scenario)
            #expect(divergence == nil, "\(divergence?.description ?? "")")
        }
    }
}

/// Reads back the parts of a JUnit document the tests check.
struct JUnitParse {
    var cases: [String] = []
    var failures = 0
    var failureTexts: [String] = []
    var suiteFailures: String?

    init(_ xml: String) throws {
        let delegate = Delegate()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = delegate
        guard parser.parse() else { throw delegate.error ?? CocoaError(.coderReadCorrupt) }
        cases = delegate.cases
        failures = delegate.failureTexts.count
        failureTexts = delegate.failureTexts
        suiteFailures = delegate.suiteFailures
    }

    final class Delegate: NSObject, XMLParserDelegate {
        var cases: [String] = []
        var failureTexts: [String] = []
        var suiteFailures: String?
        var error: (any Error)?
        private var text: String?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if name == "testcase" { cases.append(attributes["name"] ?? "") }
            if name == "testsuite" { suiteFailures = attributes["failures"] }
            if name == "failure" { text = "" }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text? += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "failure", let text { failureTexts.append(text); self.text = nil }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { error = parseError }
    }
}

@Suite(.timeLimit(.minutes(2))) struct BenchmarkTests {
    @Test func smallBenchmarkStaysNearTheRequestLowerBound() async throws {
        let figures = try await Benchmark(profiles: 1_000).run()
        #expect(figures.exported == 800)
        #expect(figures.resyncAdded == 5 && figures.resyncRemoved == 5)
        #expect(figures.firstExportRequests <= figures.firstExportLowerBound + 8)
        #expect(figures.resyncRequests <= figures.resyncLowerBound + 5)
        #expect(figures.peakRSSBytes > 0)
    }

    /// A configured secret anywhere in the outcome (here a cohort named after the service
    /// account's secret) fails the scenario, naming where and only the secret's first characters.
    @Test func aSecretInTheOutcomeFailsTheScenario() async throws {
        let leaky = try scenario("""
            name: leaky
            mixpanel:
              service_account: {username: ops, secret: "s3cr3t-value-42"}
              cohorts:
                - {id: 7, name: "s3cr3t-value-42", definition: {ids: []}}
            steps:
              - connect: {}
            """)
        let result = try await ScenarioRunner().run(leaky)
        #expect(result.expectationFailures.contains { $0.contains("a configured secret (s3cr…) appears in the outcome document") })
        #expect(!result.expectationFailures.joined().contains("s3cr3t-value-42"), "the report never repeats the secret")
        var clean = leaky
        clean.mixpanel.cohorts[0].name = "Buyers"
        #expect(try await ScenarioRunner().run(clean).expectationFailures.isEmpty)
    }

    /// The `preview` step is the engine's dry run: counts and changes in the timeline, no write to
    /// Mailchimp and no run recorded.
    @Test func aPreviewStepShowsTheChangesAndWritesNothing() async throws {
        let document = try await outcome("""
            name: preview
            mixpanel:
              profiles: [{distinct_id: a, properties: {$email: a@freddiesjokes.com}}, {distinct_id: b, properties: {}}]
              cohorts: [{id: 1, name: All, definition: {ids: [a, b]}}]
            mailchimp:
              audiences: [{name: News}]
            steps:
              - connect: {}
              - preview: {cohort: All, audience: News}
            """)
        #expect(document.contains("preview of cohort 1 to audience"), "\(document)")
        #expect(document.contains("would add 1, remove 0, leave 0 unchanged, skip 0 [add a@freddiesjokes.com]"), "\(document)")
        #expect(document.contains("audience \"News\" ("), "\(document)")
        #expect(document.contains("): 0 contacts"), "nothing written")
        #expect(!document.contains("run 1:"), "nothing recorded")
    }

    /// `mixpanel.identity` reaches the fake: with a cluster cap of 2 the second alias is refused.
    @Test func identitySwitchesFromTheScenarioReachTheFake() async throws {
        let capped = """
            name: cluster cap
            mixpanel:
              id_merge: original
              identity: {max_cluster_size: 2, canonical_choice: oldest}
              profiles: [{distinct_id: u, properties: {$email: u@freddiesjokes.com}}]
            steps:
              - track: {event: $create_alias, distinct_id: u, properties: {alias: a1}}
              - track: {event: $create_alias, distinct_id: u, properties: {alias: a2}}
            """
        #expect(try await outcome(capped).contains("step 2 (line 8): track $create_alias: stored as u, merge refused (errManyIDs)"))
        #expect(try await outcome(capped.replacingOccurrences(of: "max_cluster_size: 2, ", with: "")).contains("step 2 (line 8): track $create_alias: stored as u, merged"))
        let parsed = try scenario(capped)
        #expect(parsed.mixpanelOptions.identity.maxClusterSize == 2 && parsed.mixpanelOptions.identity.canonicalChoice == .oldest)
        let reread = try ScenarioParser.parse(try ScenarioWriter.yaml(parsed), file: "w.yaml", id: "w")
        #expect(reread.mixpanelOptions.identity == parsed.mixpanelOptions.identity, "the writer keeps the switches")
        #expect(throws: ScenarioError.self) { try scenario("name: x\nmixpanel: {identity: {reidentify: sometimes}}\nsteps: []\n") }
    }
}

import Foundation
@testable import Harness
import Report

/// A scenario whose every text is hostile markup, with a Mailchimp key, faults and a dynamic
/// sync, run through the real suite runner against a golden that does not match.
enum ReportFixture {
    static let apiKey = "0123456789abcdef0123456789abcdef-us21"
    static let hostile = #"<script>alert("x")</script> & "quoted" 'single' &amp; <b>"#

    static let yaml = """
    name: 'Report <script>alert("x")</script> & "quoted" ''single'' &amp; <b>'
    description: 'Hostile <img src=x onerror=alert(1)> text & a key \(apiKey) in the description'
    tags: [report, '"><script>alert(1)</script>']
    seed: 7
    start: 2026-04-06T08:00:00Z
    mixpanel:
      profiles:
        - {distinct_id: hal, properties: {$email: hal@example.com, plan: pro}}
        - {distinct_id: ivy, properties: {$email: ivy@example.com, plan: pro}}
        - {distinct_id: jon, properties: {plan: free}}
      cohorts:
        - {id: 801, name: 'Pro <Customers>', definition: {property: {name: plan, operator: equals, value: pro}}}
    mailchimp:
      api_key: \(apiKey)
      audiences: [{name: 'News & "Letters"'}]
      faults:
        - {method: POST, path: /3.0/lists/*, status: 429, times: 2}
    steps:
      - connect: {}
      - export: {cohort: 'Pro <Customers>', audience: 'News & "Letters"', mode: dynamic}
      - wait: 1h
      - set_profile: {distinct_id: ivy, set: {plan: free}}
      - set_profile: {distinct_id: jon, set: {plan: pro, $email: jon@example.com}}
      - wait: 3h
    """

    /// Replays the fixture once (fresh world, fresh temporary goldens) and builds its report.
    static func document() async throws -> (ReportDocument, Scenario) {
        let folder = NSTemporaryDirectory() + "cohortsim-report-" + UUID().uuidString  // wall-clock ok: test-only temp name
        defer { do { try FileManager.default.removeItem(atPath: folder) } catch {} }
        let scenario = try ScenarioParser.parse(yaml, file: "scenarios/report/hostile.yaml", id: "report/hostile")
        try FileManager.default.createDirectory(atPath: folder + "/report", withIntermediateDirectories: true)
        try "# an old golden\nscenario: something else\n".write(toFile: folder + "/report/hostile.golden", atomically: true, encoding: .utf8)
        let runner = SuiteRunner(scenarioRoot: "scenarios", goldenRoot: folder, mode: .never, samplesAudience: true)
        let result = await runner.run(scenario)
        let summary = SuiteRunner.Summary(results: [result, passing(result)])
        let document = ReportDocument.suite(scenarios: [scenario], summary: summary, context: "test") { "swift run cohortsim run \($0.file)" }
        return (document, scenario)
    }

    /// A passing copy of `result` under another id, so the index has two statuses.
    static func passing(_ result: SuiteRunner.Result) -> SuiteRunner.Result {
        var copy = result
        copy.scenarioID = "report/passing"
        copy.verdict = .passed
        copy.error = nil
        copy.comparison = nil
        return copy
    }
}

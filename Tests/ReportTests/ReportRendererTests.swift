import Foundation
@testable import Harness
@testable import Report
import SimCore
import Testing

/// The HTML report of a suite: structure, escaping, determinism, no secret.
@Suite(.timeLimit(.minutes(2))) struct ReportRendererTests {
    @Test func indexListsFailuresFirstWithTheirPagesAndFilters() async throws {
        let (document, _) = try await ReportFixture.document()
        let pages = try ReportRenderer().render(document)
        #expect(pages.map(\.path) == ["index.html", "pages/report-hostile.html", "pages/report-passing.html"])
        let index = pages[0].html
        let failed = try #require(index.range(of: "data-status=\"failed\""))
        let passed = try #require(index.range(of: "data-status=\"passed\""))
        #expect(failed.lowerBound < passed.lowerBound)
        #expect(index.contains("id=\"filter-status\"") && index.contains("id=\"filter-tag\""))
        #expect(index.contains("<option value=\"report\">report</option>"))
        #expect(index.contains("href=\"pages/report-hostile.html\""))
        #expect(index.contains("4h"), "the virtual time of the replay")
    }

    @Test func aScenarioPageHasChartsRunsAndTheSideBySideDiff() async throws {
        let (document, _) = try await ReportFixture.document()
        let page = try ReportRenderer().render(document)[1].html
        for chart in ["chart timeline", "chart audience", "chart swimlanes"] { #expect(page.contains("class=\"\(chart)\""), "\(chart)") }
        #expect(page.contains(#/<polyline points="[0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+/#), "an audience line with points")
        #expect(page.contains("class=\"run run-succeeded\""))
        #expect(page.contains("class=\"mark mark-429\""), "the fault's 429s are marked")
        #expect(page.contains("class=\"mark mark-retry\""), "and their retries")
        #expect(page.contains("class=\"fault-window\""))
        #expect(page.contains("<table class=\"diff\">") && page.contains("<tr class=\"changed\">"))
        #expect(page.contains("swift run cohortsim run scenarios/report/hostile.yaml"))
        #expect(!page.contains("<link") && !page.contains("src=\"http") && !page.contains("@import"), "nothing is loaded from elsewhere")
    }

    @Test func everyValueFromTheScenarioIsEscaped() async throws {
        let (document, _) = try await ReportFixture.document()
        for page in try ReportRenderer().render(document) {
            #expect(!page.html.contains("<script>alert"), "\(page.path)")
            #expect(!page.html.contains("<img src=x"), "\(page.path)")
            #expect(!page.html.contains("<b>") && !page.html.contains("<Customers>"), "\(page.path)")
            #expect(!page.html.contains("\"><script"), "\(page.path): an attribute value broke out")
        }
        let scenarioPage = try ReportRenderer().render(document)[1].html
        #expect(scenarioPage.contains("&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; \"quoted\" 'single' &amp;amp; &lt;b&gt;"))
        #expect(scenarioPage.contains("Pro &lt;Customers&gt;"))
        let index = try ReportRenderer().render(document)[0].html
        #expect(index.contains("data-tags=\"|report|&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;|\""))
    }

    @Test func theSameRunGivesTheSameBytes() async throws {
        let first = try ReportRenderer().render(try await ReportFixture.document().0)
        let second = try ReportRenderer().render(try await ReportFixture.document().0)
        #expect(first == second)
    }

    @Test func noConfiguredSecretAppearsOnAnyPage() async throws {
        let (document, scenario) = try await ReportFixture.document()
        #expect(scenario.description.contains(ReportFixture.apiKey), "the fixture does put the key in a value")
        let key = ReportFixture.apiKey, bare = String(key.split(separator: "-")[0])
        for page in try ReportRenderer().render(document) {
            #expect(!page.html.contains(bare), "\(page.path)")
            #expect(SecretScan(scenario).leaks(in: [(place: page.path, text: page.html)]).isEmpty)
        }
        #expect(try ReportRenderer().render(document)[1].html.contains(SecretScan.placeholder))
    }

    @Test func aFuzzViolationShowsItsInvariantStepAndShrunkScenario() async throws {
        let (suite, scenario) = try await ReportFixture.document()
        let violation = Violation(invariant: .noResubscribe, step: 4, time: "2026-04-06T09:00:00Z", detail: "ivy@example.com went from unsubscribed to subscribed")
        var result = FuzzCaseResult(violations: [violation], coverage: [], document: "")
        result.trace = suite.entries[0].trace
        let summary = FuzzSummary(size: .small, results: [.init(seed: 9, result: result),
                                                          .init(seed: 10, result: FuzzCaseResult(violations: [], coverage: [], document: ""))])
        let finding = ShrunkFinding(path: "fuzz-findings/no-resubscribe-seed-9-small.yaml", scenario: scenario, violation: violation,
                                    replays: 12, originalSteps: 40)
        let pages = try ReportRenderer().render(try ReportDocument.fuzz(summary: summary, findings: [9: finding], context: "test"))
        #expect(pages.map(\.path) == ["index.html", "pages/seed-9.html"], "a seed without a violation has a row and no page")
        let page = pages[1].html
        #expect(page.contains("no-resubscribe") && page.contains("after step 4") && page.contains("went from unsubscribed to subscribed"))
        #expect(page.contains("Shrunk scenario") && page.contains("fuzz-findings/no-resubscribe-seed-9-small.yaml"))
        #expect(page.contains("cohortsim fuzz --seed 9 --size small"))
        #expect(page.contains(#/api_key: ["']?\[redacted\]/#) && !page.contains(ReportFixture.apiKey), "the shrunk file's key is redacted")
        #expect(page.contains("class=\"chart swimlanes\""))
        #expect(page.contains("class=\"broken\"><title>broken after step 4: no-resubscribe</title>"), "the step is marked on the timeline")
    }

    @Test func aScenarioThatCouldNotRunHasAPageWithItsErrorAndNoCharts() async throws {
        let yaml = """
        name: Broken step
        seed: 1
        start: 2026-04-06T08:00:00Z
        mailchimp: {audiences: [{name: News}]}
        steps:
          - connect: {}
          - export: {cohort: Nobody <here>, audience: News}
        """
        let scenario = try ScenarioParser.parse(yaml, file: "scenarios/report/broken.yaml", id: "report/broken")
        let result = await SuiteRunner(scenarioRoot: "scenarios", goldenRoot: "/nonexistent", mode: .never).run(scenario)
        #expect(result.trace == nil && result.error != nil)
        let document = ReportDocument.suite(scenarios: [scenario], summary: .init(results: [result], orphans: ["gone/old"]), context: "test") { _ in "repro" }
        let pages = try ReportRenderer().render(document)
        #expect(pages.map(\.path) == ["index.html", "pages/report-broken.html"], "an orphaned golden is a row without a page")
        #expect(pages[0].html.contains("orphaned golden"))
        #expect(pages[1].html.contains("no cohort named or numbered 'Nobody &lt;here&gt;'"), "the step error, escaped")
        #expect(!pages[1].html.contains("<svg"))
    }

    @Test func aReportFolderThatIsAFileIsRefusedWithTheReason() throws {
        let file = NSTemporaryDirectory() + "cohortsim-report-file-" + UUID().uuidString  // wall-clock ok: test-only temp name
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        defer { do { try FileManager.default.removeItem(atPath: file) } catch {} }
        #expect(throws: ReportError.self) { try ReportWriter(directory: file).prepare() }
        do { try ReportWriter(directory: file).prepare() } catch { #expect("\(error)".contains("a file is in the way")) }
        do { try ReportWriter(directory: file + "/inside").prepare() } catch { #expect("\(error)".contains("cannot be created or written")) }
    }

    @Test func writingReplacesTheOldPagesOnly() throws {
        let folder = NSTemporaryDirectory() + "cohortsim-report-dir-" + UUID().uuidString  // wall-clock ok: test-only temp name
        defer { do { try FileManager.default.removeItem(atPath: folder) } catch {} }
        let writer = ReportWriter(directory: folder)
        try writer.write([ReportPage(path: "index.html", html: "a"), ReportPage(path: "pages/old.html", html: "b")])
        try "keep".write(toFile: folder + "/notes.txt", atomically: true, encoding: .utf8)
        try writer.write([ReportPage(path: "index.html", html: "c"), ReportPage(path: "pages/new.html", html: "d")])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/pages") == ["new.html"])
        #expect(FileManager.default.fileExists(atPath: folder + "/notes.txt"))
    }
}

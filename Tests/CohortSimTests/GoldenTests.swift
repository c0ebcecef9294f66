import Foundation
import Testing
@testable import Harness

@Suite struct GoldenTests {
    @Test func matchingGoldenPasses() throws {
        let store = GoldenStore(root: try temporaryFolder())
        _ = try store.check(scenarioID: "a/b", actual: "x\n", mode: .missing)
        #expect(try store.check(scenarioID: "a/b", actual: "x\n", mode: .never) == .passed)
    }

    @Test func missingGoldenFailsUnderNeverAndIsNotWritten() throws {
        let store = GoldenStore(root: try temporaryFolder())
        #expect(try store.check(scenarioID: "new", actual: "x\n", mode: .never) == .missing)
        #expect(!FileManager.default.fileExists(atPath: store.path(for: "new")))
    }

    @Test func missingGoldenIsRecordedUnderMissing() throws {
        let store = GoldenStore(root: try temporaryFolder())
        #expect(try store.check(scenarioID: "dir/new", actual: "x\n", mode: .missing) == .recorded(rewritten: false))
        #expect(try String(contentsOfFile: store.path(for: "dir/new"), encoding: .utf8) == "x\n")
    }

    @Test func mismatchShowsAUnifiedDiffAndKeepsTheGolden() throws {
        let store = GoldenStore(root: try temporaryFolder())
        _ = try store.check(scenarioID: "s", actual: "one\ntwo\nthree\n", mode: .missing)
        let verdict = try store.check(scenarioID: "s", actual: "one\n2\nthree\n", mode: .missing)
        guard case .mismatch(let diff) = verdict else { Issue.record("expected a mismatch, got \(verdict)"); return }
        #expect(diff.contains("-two\n+2\n"))
        #expect(diff.contains("--- \(store.path(for: "s"))"))
        #expect(try String(contentsOfFile: store.path(for: "s"), encoding: .utf8) == "one\ntwo\nthree\n")
    }

    @Test func failedModeRewritesOnlyMismatches() throws {
        let store = GoldenStore(root: try temporaryFolder())
        _ = try store.check(scenarioID: "s", actual: "old\n", mode: .missing)
        #expect(try store.check(scenarioID: "s", actual: "old\n", mode: .failed) == .passed)
        #expect(try store.check(scenarioID: "s", actual: "new\n", mode: .failed) == .recorded(rewritten: true))
        #expect(try String(contentsOfFile: store.path(for: "s"), encoding: .utf8) == "new\n")
    }

    @Test func allModeRewritesEverything() throws {
        let store = GoldenStore(root: try temporaryFolder())
        _ = try store.check(scenarioID: "s", actual: "a\n", mode: .missing)
        #expect(try store.check(scenarioID: "s", actual: "b\n", mode: .all) == .recorded(rewritten: true))
        #expect(try store.check(scenarioID: "s", actual: "b\n", mode: .all) == .passed)
    }

    @Test func ciEnvironmentDefaultsToNever() {
        #expect(RecordMode.defaultMode(environment: ["CI": "true"]) == .never)
        #expect(RecordMode.defaultMode(environment: [:]) == .missing)
    }

    @Test func diffOfEqualTextsIsEmpty() {
        #expect(UnifiedDiff.diff(expected: "a\nb\n", actual: "a\nb\n", expectedLabel: "x", actualLabel: "y").isEmpty)
    }

    @Test func diffKeepsThreeLinesOfContext() {
        let a = (1...20).map(String.init).joined(separator: "\n")
        let b = a.replacingOccurrences(of: "\n10\n", with: "\nten\n")
        let diff = UnifiedDiff.diff(expected: a, actual: b, expectedLabel: "x", actualLabel: "y")
        #expect(diff.contains("@@ -7,7 +7,7 @@"))
        #expect(diff.contains(" 7\n 8\n 9\n-10\n+ten\n 11\n 12\n 13\n"))
        #expect(!diff.contains(" 6\n"))
    }

    @Test func changedGoldenValueMakesTheCheckedInScenarioFail() async throws {
        let folder = try temporaryFolder()
        let goldenFile = "\(packageRoot)/golden/export/one-time-basic.golden"
        var golden = try String(contentsOfFile: goldenFile, encoding: .utf8)
        golden = golden.replacingOccurrences(of: "ann@example.com subscribed", with: "ann@example.com unsubscribed")
        try FileManager.default.createDirectory(atPath: "\(folder)/export", withIntermediateDirectories: true)
        try golden.write(toFile: "\(folder)/export/one-time-basic.golden", atomically: true, encoding: .utf8)
        let runner = SuiteRunner(scenarioRoot: "\(packageRoot)/scenarios", goldenRoot: folder, mode: .never)
        let loaded = runner.load(["\(packageRoot)/scenarios/export/one-time-basic.yaml"])
        let result = await runner.run(try #require(loaded.scenarios.first))
        guard case .mismatch(let diff) = result.verdict else { Issue.record("expected mismatch"); return }
        #expect(diff.contains("-  ann@example.com unsubscribed"))
        #expect(diff.contains("+  ann@example.com subscribed"))
    }
}

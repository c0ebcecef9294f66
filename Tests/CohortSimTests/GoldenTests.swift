import Foundation
import Testing
@testable import Harness

@Suite(.timeLimit(.minutes(2))) struct GoldenTests {
    /// A golden as a reviewer leaves it: recorded as pending, then accepted.
    private func seed(_ store: GoldenStore, _ id: String, _ text: String) throws {
        #expect(try store.check(scenarioID: id, actual: text, mode: .missing) == .recorded)
        #expect(try store.accept(id))
    }

    @Test func matchingGoldenPasses() throws {
        let store = GoldenStore(root: try temporaryFolder())
        try seed(store, "a/b", "x\n")
        #expect(try store.check(scenarioID: "a/b", actual: "x\n", mode: .never) == .passed)
    }

    @Test func missingGoldenFailsUnderNeverAndIsNotWritten() throws {
        let store = GoldenStore(root: try temporaryFolder())
        #expect(try store.check(scenarioID: "new", actual: "x\n", mode: .never) == .missing)
        #expect(!FileManager.default.fileExists(atPath: store.path(for: "new")))
    }

    @Test func aNewGoldenIsPendingUntilAcceptedAndNeverAPass() throws {
        let store = GoldenStore(root: try temporaryFolder())
        #expect(try store.check(scenarioID: "dir/new", actual: "x\n", mode: .missing) == .recorded)
        #expect(!FileManager.default.fileExists(atPath: store.path(for: "dir/new")), "no golden before review")
        #expect(store.pendingIDs() == ["dir/new"])
        #expect(store.pendingDiff(for: "dir/new")?.contains("+x\n") == true)
        // Still not a pass on the next run: the golden does not exist until accepted.
        #expect(try store.check(scenarioID: "dir/new", actual: "x\n", mode: .missing) == .recorded)
        #expect(try store.accept("dir/new"))
        #expect(try store.check(scenarioID: "dir/new", actual: "x\n", mode: .never) == .passed)
    }

    @Test(arguments: [(RecordMode.never, false, false), (.missing, true, false), (.failed, false, true), (.all, true, true)])
    func eachRecordModeWritesWhatItSays(_ mode: RecordMode, writesNew: Bool, writesMismatch: Bool) throws {
        let store = GoldenStore(root: try temporaryFolder())
        try seed(store, "old", "a\n")
        let new = try store.check(scenarioID: "new", actual: "n\n", mode: mode)
        let changed = try store.check(scenarioID: "old", actual: "b\n", mode: mode)
        #expect((new == .recorded) == writesNew && (new == .missing) == !writesNew)
        if case .pending = changed { #expect(writesMismatch) } else { #expect(!writesMismatch) }
        #expect(store.pendingIDs() == ([writesNew ? "new" : nil, writesMismatch ? "old" : nil].compactMap { $0 }))
        #expect(try String(contentsOfFile: store.path(for: "old"), encoding: .utf8) == "a\n", "no mode replaces a golden")
    }

    @Test func rejectDeletesThePendingOutcomeAndKeepsTheGolden() throws {
        let store = GoldenStore(root: try temporaryFolder())
        try seed(store, "s", "a\n")
        _ = try store.check(scenarioID: "s", actual: "b\n", mode: .failed)
        #expect(try store.reject("s"))
        #expect(store.pendingIDs().isEmpty)
        #expect(try String(contentsOfFile: store.path(for: "s"), encoding: .utf8) == "a\n")
        #expect(try !store.reject("s"))
    }

    @Test func mismatchShowsAUnifiedDiffAndKeepsTheGolden() throws {
        let store = GoldenStore(root: try temporaryFolder())
        try seed(store, "s", "one\ntwo\nthree\n")
        let verdict = try store.check(scenarioID: "s", actual: "one\n2\nthree\n", mode: .missing)
        guard case .mismatch(let diff) = verdict else { Issue.record("expected a mismatch, got \(verdict)"); return }
        #expect(diff.contains("-two\n+2\n"))
        #expect(diff.contains("--- \(store.path(for: "s"))"))
        #expect(try String(contentsOfFile: store.path(for: "s"), encoding: .utf8) == "one\ntwo\nthree\n")
    }

    @Test func failedModeWritesAPendingFileAndKeepsTheGolden() throws {
        let store = GoldenStore(root: try temporaryFolder())
        try seed(store, "d/s", "old\n")
        #expect(try store.check(scenarioID: "d/s", actual: "old\n", mode: .failed) == .passed)
        guard case .pending = try store.check(scenarioID: "d/s", actual: "new\n", mode: .failed) else { Issue.record("expected pending"); return }
        #expect(try String(contentsOfFile: store.path(for: "d/s"), encoding: .utf8) == "old\n")
        #expect(store.pendingIDs() == ["d/s"])
        #expect(store.pendingDiff(for: "d/s")?.contains("-old\n+new\n") == true)
    }

    @Test func acceptReplacesTheGoldenWithThePendingOutcome() throws {
        let store = GoldenStore(root: try temporaryFolder())
        try seed(store, "s", "a\n")
        _ = try store.check(scenarioID: "s", actual: "b\n", mode: .all)
        #expect(try store.accept("s"))
        #expect(try String(contentsOfFile: store.path(for: "s"), encoding: .utf8) == "b\n")
        #expect(store.pendingIDs().isEmpty)
        #expect(try !store.accept("s"))
        #expect(try store.check(scenarioID: "s", actual: "b\n", mode: .never) == .passed)
    }

    @Test func goldensWithoutAScenarioAreOrphans() throws {
        let store = GoldenStore(root: try temporaryFolder())
        try seed(store, "kept", "a\n")
        try seed(store, "old/gone", "a\n")
        #expect(store.orphans(scenarioIDs: ["kept"]) == ["old/gone"])
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
        golden = golden.replacingOccurrences(of: "ann@freddiesjokes.com subscribed", with: "ann@freddiesjokes.com unsubscribed")
        try FileManager.default.createDirectory(atPath: "\(folder)/export", withIntermediateDirectories: true)
        try golden.write(toFile: "\(folder)/export/one-time-basic.golden", atomically: true, encoding: .utf8)
        let runner = SuiteRunner(scenarioRoot: "\(packageRoot)/scenarios", goldenRoot: folder, mode: .never)
        let loaded = runner.load(["\(packageRoot)/scenarios/export/one-time-basic.yaml"])
        let result = await runner.run(try #require(loaded.scenarios.first))
        guard case .mismatch(let diff) = result.verdict else { Issue.record("expected mismatch"); return }
        #expect(diff.contains("-  ann@freddiesjokes.com unsubscribed"))
        #expect(diff.contains("+  ann@freddiesjokes.com subscribed"))
    }
}

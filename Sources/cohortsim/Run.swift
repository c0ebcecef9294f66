import ArgumentParser
import Foundation
import Harness
import Report

extension CohortSim {
    /// `cohortsim run`: replays scenarios and compares their outcomes with goldens.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay scenarios and compare their outcomes with the goldens.",
            discussion: "Exit status: 0 all passed, 1 a scenario failed (or an outcome was written for review), 2 invalid input.\n\nExample:\n  cohortsim run --jobs 2\n  cohortsim run scenarios/dynamic --record failed\n  cohortsim run --record never --report .build/report   # then open .build/report/index.html")

        @Argument(help: "Scenario files or folders (default: the scenario root).")
        var paths: [String] = []

        @OptionGroup var locations: SuiteLocations

        @Option(help: "What to write for review: never, missing (pending goldens for new scenarios), failed (pending outcomes beside mismatching goldens) or all (both). Default: missing; never when CI=true. Settle them with `cohortsim review`, `accept` and `reject`.")
        var record: String?

        @Option(help: "Only scenarios whose id, path or name matches this regular expression.")
        var filter: String?

        @Option(help: "Only scenarios with this tag.")
        var tag: String?

        @Option(help: "Run shard I of N (1-based), a stable split by scenario id, e.g. 2/4.")
        var shard: String?

        @Option(help: "Scenarios run at once (results are identical to --jobs 1).")
        var jobs = 1

        @Option(help: "Write a JUnit XML report to this file.")
        var junit: String?

        @Option(help: "Use this seed for every scenario instead of its own.")
        var seed: UInt64?

        @Option(help: ArgumentHelp("Write a static HTML report (index.html, one page per scenario: timeline, audience, runs, requests, golden diff) to this folder.", valueName: "dir"))
        var report: String?

        mutating func run() async throws {
            let terminal = Terminal()
            let mode = try recordMode()
            let selection = try makeSelection()
            guard jobs >= 1 else { throw invalidInput("--jobs must be at least 1") }
            let writer = try report.map(preparedReportWriter)
            let runner = SuiteRunner(scenarioRoot: locations.scenarioRoot, goldenRoot: locations.goldens, mode: mode, seedOverride: seed,
                                     samplesAudience: writer != nil)
            let scenarios = try loadSelected(runner, selection)
            print("Running \(scenarios.count) scenario(s), record mode \(mode.rawValue), jobs \(jobs)" + (seed.map { ", seed \($0)" } ?? ""))
            let results = await runner.run(scenarios, jobs: jobs) { done, result in
                terminal.progress(done, scenarios.count, result.scenarioID)
            }
            terminal.clearProgress()
            for result in results { print(Self.line(for: result, terminal)) }
            let orphans = selection.isEverything && paths.isEmpty ? runner.goldens.orphans(scenarioIDs: Set(scenarios.map(\.id))) : []
            let summary = SuiteRunner.Summary(results: results, orphans: orphans)
            if let junit { try JUnitReport.xml(summary).write(toFile: junit, atomically: true, encoding: .utf8) }
            if let writer { try writeReport(summary, scenarios: scenarios, mode: mode, to: writer) }
            printFailures(summary, terminal)
            let line = "\(summary.passed) passed, \(summary.failed) failed" + (summary.recorded > 0 ? ", \(summary.recorded) recorded" : "")
            print(summary.failed > 0 ? terminal.red(line) : terminal.green(line))
            if summary.failed > 0 || summary.recorded > 0 { throw ExitCode(1) }
        }

        /// The one command that replays a failed result.
        private func repro(_ result: SuiteRunner.Result) -> String {
            "swift run cohortsim run \(result.file)" + (seed.map { " --seed \($0)" } ?? "")
        }

        private func writeReport(_ summary: SuiteRunner.Summary, scenarios: [Harness.Scenario], mode: RecordMode, to writer: ReportWriter) throws {
            var context = "cohortsim run, record mode \(mode.rawValue)"
            if let filter { context += ", filter \(filter)" }
            if let tag { context += ", tag \(tag)" }
            if let shard { context += ", shard \(shard)" }
            if let seed { context += ", seed \(seed)" }
            let document = ReportDocument.suite(scenarios: scenarios, summary: summary, context: context, repro: repro)
            let index = try writer.write(try ReportRenderer().render(document))
            print("report: \(index)")
        }

        private func recordMode() throws -> RecordMode {
            guard let record else { return RecordMode.defaultMode(environment: ProcessInfo.processInfo.environment) }
            guard let mode = RecordMode(rawValue: record) else {
                throw invalidInput("--record must be one of never, missing, failed, all (got '\(record)')")
            }
            return mode
        }

        private func makeSelection() throws -> SuiteRunner.Selection {
            var selection = SuiteRunner.Selection(filter: filter, tag: tag)
            if let filter, (try? Regex(filter)) == nil { throw invalidInput("--filter is not a valid regular expression: \(filter)") }
            if let shard {
                guard let parsed = SuiteRunner.Selection.parseShard(shard) else { throw invalidInput("--shard must be I/N with 1 ≤ I ≤ N (got '\(shard)')") }
                selection.shard = parsed
            }
            return selection
        }

        private func loadSelected(_ runner: SuiteRunner, _ selection: SuiteRunner.Selection) throws -> [Harness.Scenario] {
            let files: [String]
            do { files = try runner.discover(paths.isEmpty ? [locations.scenarioRoot] : paths) } catch {
                throw invalidInput("\(error)")
            }
            let (scenarios, errors) = runner.load(files)
            if !errors.isEmpty {
                for error in errors { for one in error.all { printError("error: \(one)") } }
                printError("\(errors.count) invalid scenario file(s); nothing was run")
                throw ExitCode(2)
            }
            return try scenarios.filter { try selection.includes($0) }
        }

        static func line(for result: SuiteRunner.Result, _ t: Terminal) -> String {
            if let error = result.error, result.verdict == nil { return t.red("FAIL") + " \(result.scenarioID): \(error.split(separator: "\n").first ?? "")" }
            let suffix = result.error == nil ? "" : " (and an inline expectation failed)"
            switch result.verdict {
            case .passed where result.error == nil: return t.green("PASS") + " \(result.scenarioID)"
            case .passed: return t.red("FAIL") + " \(result.scenarioID): inline expectation failed"
            case .mismatch: return t.red("FAIL") + " \(result.scenarioID): outcome differs from golden" + suffix
            case .pending: return t.red("FAIL") + " \(result.scenarioID): outcome differs; pending golden written (cohortsim review)" + suffix
            case .missing: return t.red("FAIL") + " \(result.scenarioID): no golden (run with --record missing to create it)"
            case .recorded: return t.yellow("REC ") + " \(result.scenarioID): new golden written as pending — `cohortsim review`, then `accept` or `reject`" + suffix
            case nil: return t.red("FAIL") + " \(result.scenarioID)"
            }
        }

        private func printFailures(_ summary: SuiteRunner.Summary, _ t: Terminal) {
            let failures = summary.results.filter(\.failed)
            guard !failures.isEmpty || !summary.orphans.isEmpty else { return }
            print("\n" + t.bold("==== Failures (\(failures.count + summary.orphans.count))"))
            for failure in failures {
                print("\n" + t.bold("---- \(failure.scenarioID)") + " (\(failure.file), seed \(failure.seed))")
                let (_, text) = JUnitReport.failure(failure)
                if !text.isEmpty { print(t.diff(text), terminator: text.hasSuffix("\n") ? "" : "\n") }
                print("reproduce: " + repro(failure))
            }
            for orphan in summary.orphans {
                print("\n" + t.bold("---- orphaned golden \(locations.goldens)/\(orphan).golden") + ": no scenario produces it; delete it or restore its scenario")
            }
            print("")
        }
    }
}

import ArgumentParser
import Foundation
import Harness

extension CohortSim {
    /// `cohortsim run`: replays scenarios and compares their outcomes with goldens.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay scenarios and compare their outcomes with the goldens.",
            discussion: "Exit status: 0 all passed, 1 a scenario failed (or a golden was recorded), 2 invalid input.")

        @Argument(help: "Scenario files or folders (default: scenarios/).")
        var paths: [String] = []

        @Option(help: "When to write goldens: never, missing, failed or all (default: missing; never when CI=true).")
        var record: String?

        @Option(help: "Folder that scenario ids are relative to.")
        var scenarioRoot = "scenarios"

        @Option(help: "Folder holding the goldens.")
        var goldens = "golden"

        mutating func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let mode: RecordMode
            if let record {
                guard let parsed = RecordMode(rawValue: record) else {
                    printError("error: --record must be one of never, missing, failed, all (got '\(record)')")
                    throw ExitCode(2)
                }
                mode = parsed
            } else {
                mode = RecordMode.defaultMode(environment: environment)
            }
            let runner = SuiteRunner(scenarioRoot: scenarioRoot, goldenRoot: goldens, mode: mode)
            let files: [String]
            do { files = try runner.discover(paths.isEmpty ? [scenarioRoot] : paths) } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
            let (scenarios, errors) = runner.load(files)
            if !errors.isEmpty {
                for error in errors { printError("error: \(error)") }
                printError("\(errors.count) invalid scenario file(s); nothing was run")
                throw ExitCode(2)
            }
            print("Running \(scenarios.count) scenario(s), record mode \(mode.rawValue)")
            var results: [SuiteRunner.Result] = []
            for scenario in scenarios {
                let result = await runner.run(scenario)
                print(Self.line(for: result, scenario: scenario))
                results.append(result)
            }
            let summary = SuiteRunner.Summary(results: results)
            Self.printFailures(summary)
            print("\(summary.passed) passed, \(summary.failed) failed" + (summary.recorded > 0 ? ", \(summary.recorded) recorded" : ""))
            if summary.failed > 0 || summary.recorded > 0 { throw ExitCode(1) }
        }

        static func line(for result: SuiteRunner.Result, scenario: Harness.Scenario) -> String {
            if let error = result.error { return "FAIL \(result.scenarioID): \(error)" }
            switch result.verdict {
            case .passed: return "PASS \(result.scenarioID)"
            case .mismatch: return "FAIL \(result.scenarioID): outcome differs from golden"
            case .missing: return "FAIL \(result.scenarioID): no golden (run with --record missing to create it)"
            case .recorded(let rewritten): return "REC  \(result.scenarioID): golden \(rewritten ? "rewritten" : "written") — review it, then re-run"
            case nil: return "FAIL \(result.scenarioID)"
            }
        }

        static func printFailures(_ summary: SuiteRunner.Summary) {
            let failures = summary.results.filter { !$0.passed && !isRecorded($0) }
            guard !failures.isEmpty else { return }
            print("\n==== Failures")
            for failure in failures {
                print("\n---- \(failure.scenarioID) (\(failure.file))")
                if let error = failure.error { print(error) }
                if case .mismatch(let diff) = failure.verdict { print(diff, terminator: "") }
                print("reproduce: swift run cohortsim run \(failure.file)")
            }
            print("")
        }

        static func isRecorded(_ result: SuiteRunner.Result) -> Bool {
            if case .recorded = result.verdict, result.error == nil { return true }
            return false
        }
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

import ArgumentParser
import Foundation
import Harness

extension CohortSim {
    /// `cohortsim check-determinism`: each scenario twice in-process and once over loopback HTTP.
    struct CheckDeterminism: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-determinism",
            abstract: "Run each scenario twice in-process and once over loopback HTTP; report the first divergence.",
            discussion: "Example:\n  cohortsim check-determinism\n  cohortsim check-determinism scenarios/faults\n  cohortsim check-determinism --fuzz-seed 7 --fuzz-seed 8")

        @Argument(help: "Scenario files or folders (default: the scenario root).")
        var paths: [String] = []

        @OptionGroup var locations: SuiteLocations

        @Flag(help: "Skip the loopback HTTP comparison.")
        var inProcessOnly = false

        @Option(help: "Check this fuzz seed's generated case instead of scenario files (repeatable); its invariant verdicts are compared too.")
        var fuzzSeed: [UInt64] = []

        @Option(help: "Size of the --fuzz-seed cases: small, medium or large.")
        var fuzzSize = "small"

        mutating func run() async throws {
            let scenarios: [Scenario]
            if !fuzzSeed.isEmpty {
                guard paths.isEmpty else { throw invalidInput("give scenario paths or --fuzz-seed, not both") }
                guard let size = FuzzSize(rawValue: fuzzSize) else { throw invalidInput("--fuzz-size must be small, medium or large") }
                scenarios = fuzzSeed.map { FuzzGenerator(seed: $0, size: size).scenario() }
            } else {
                let runner = SuiteRunner(scenarioRoot: locations.scenarioRoot, goldenRoot: locations.goldens, mode: .never)
                let files: [String]
                do { files = try runner.discover(paths.isEmpty ? [locations.scenarioRoot] : paths) } catch { throw invalidInput("\(error)") }
                let (loaded, errors) = runner.load(files)
                if !errors.isEmpty {
                    for error in errors { for one in error.all { printError("error: \(one)") } }
                    throw ExitCode(2)
                }
                scenarios = loaded
            }
            var divergent = 0
            for scenario in scenarios {
                do {
                    if let divergence = try await DeterminismCheck.check(scenario, includeLoopback: !inProcessOnly) {
                        divergent += 1
                        print("DIVERGES \(divergence)")
                    } else if !fuzzSeed.isEmpty, let verdicts = await Self.fuzzVerdictsDiffer(scenario, includeLoopback: !inProcessOnly) {
                        divergent += 1
                        print("DIVERGES \(scenario.id): invariant verdicts differ: \(verdicts)")
                    } else {
                        print("STABLE   \(scenario.id)")
                    }
                } catch {
                    divergent += 1
                    print("ERROR    \(scenario.id): \(error)")
                }
            }
            print("\(scenarios.count - divergent) passed, \(divergent) failed")
            if divergent > 0 { throw ExitCode(1) }
        }

        /// The fuzz verdicts of a case, in-process twice and over loopback: a description of the
        /// first difference, or `nil`.
        static func fuzzVerdictsDiffer(_ scenario: Scenario, includeLoopback: Bool) async -> String? {
            let first = await FuzzCase(transport: .inProcess).run(scenario)
            let second = await FuzzCase(transport: .inProcess).run(scenario)
            guard first == second else { return "in-process run 1 vs run 2: \(first.violations.map(\.line)) vs \(second.violations.map(\.line))" }
            guard includeLoopback else { return nil }
            let loopback = await FuzzCase(transport: .loopback).run(scenario)
            return first == loopback ? nil : "in-process vs loopback: \(first.violations.map(\.line)) vs \(loopback.violations.map(\.line))"
        }
    }
}

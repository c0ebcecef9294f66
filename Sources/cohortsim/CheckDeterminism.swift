import ArgumentParser
import Foundation
import Harness

extension CohortSim {
    /// `cohortsim check-determinism`: each scenario twice in-process and once over loopback HTTP.
    struct CheckDeterminism: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-determinism",
            abstract: "Run each scenario twice in-process and once over loopback HTTP; report the first divergence.")

        @Argument(help: "Scenario files or folders (default: the scenario root).")
        var paths: [String] = []

        @OptionGroup var locations: SuiteLocations

        @Flag(help: "Skip the loopback HTTP comparison.")
        var inProcessOnly = false

        mutating func run() async throws {
            let runner = SuiteRunner(scenarioRoot: locations.scenarioRoot, goldenRoot: locations.goldens, mode: .never)
            let files: [String]
            do { files = try runner.discover(paths.isEmpty ? [locations.scenarioRoot] : paths) } catch { throw invalidInput("\(error)") }
            let (scenarios, errors) = runner.load(files)
            if !errors.isEmpty {
                for error in errors { printError("error: \(error)") }
                throw ExitCode(2)
            }
            var divergent = 0
            for scenario in scenarios {
                do {
                    if let divergence = try await DeterminismCheck.check(scenario, includeLoopback: !inProcessOnly) {
                        divergent += 1
                        print("DIVERGES \(divergence)")
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
    }
}

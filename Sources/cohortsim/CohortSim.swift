import ArgumentParser
import Foundation
import Harness

/// The `cohortsim` command: replay scenarios against the real engine and the fakes.
@main
struct CohortSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cohortsim",
        abstract: "Prove a Mixpanel → Mailchimp cohort export correct against faithful fakes.",
            discussion: "Example:\n  cohortsim run                 # the scenario suite\n  cohortsim help fuzz           # any command's options and an example",
        subcommands: [Run.self, Review.self, Accept.self, Reject.self, CheckDeterminism.self, Fuzz.self, Serve.self, Sync.self, Import.self, Bench.self])
}

/// Where scenarios and goldens live.
struct SuiteLocations: ParsableArguments {
    @Option(help: "Folder that scenario ids are relative to.")
    var scenarioRoot = "scenarios"

    @Option(help: "Folder holding the goldens.")
    var goldens = "golden"
}

/// Exit with status 2 after printing `message` (invalid input).
func invalidInput(_ message: String) -> ExitCode {
    printError("error: \(message)")
    return ExitCode(2)
}

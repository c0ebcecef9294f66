import ArgumentParser
import Foundation
import Harness

/// The `cohortsim` command: replay scenarios against the real engine and the fakes.
@main
struct CohortSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cohortsim",
        abstract: "Prove a Mixpanel → Mailchimp cohort export correct against faithful fakes.",
        subcommands: [Run.self])
}

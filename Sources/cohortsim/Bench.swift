import ArgumentParser
import Foundation
import Harness

extension CohortSim {
    /// `cohortsim bench`: export throughput, memory and request economy on a synthetic world.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a synthetic world of N profiles through the in-process fakes, then re-sync with 1% churn.",
            discussion: "Example:\n  cohortsim bench --profiles 200000 --json")

        @Option(help: "Number of profiles.") var profiles = 1_000_000
        @Flag(help: "Print one JSON object.") var json = false

        mutating func run() async throws {
            guard profiles >= 100 else { throw invalidInput("--profiles must be at least 100") }
            let figures = try await Benchmark(profiles: profiles).run()
            if json {
                print(figures.json.canonicalText)
                return
            }
            print("profiles                 \(figures.profiles) (exported \(figures.exported))")
            print("first export             \(String(format: "%.2f", figures.firstExportSeconds)) s, \(figures.firstExportRequests) Mailchimp requests (lower bound \(figures.firstExportLowerBound))")
            print("re-sync (1% churn)       \(String(format: "%.2f", figures.resyncSeconds)) s, \(figures.resyncRequests) Mailchimp requests (lower bound \(figures.resyncLowerBound)); +\(figures.resyncAdded) −\(figures.resyncRemoved)")
            print("peak resident memory     \(figures.peakRSSBytes / 1_048_576) MiB")
        }
    }
}

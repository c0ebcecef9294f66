import ArgumentParser
import Foundation
import Harness

extension CohortSim {
    /// `cohortsim bench`: export throughput, memory and request economy on a synthetic world,
    /// or (`--capacity`) how long exports take in virtual time once latency and limits bind.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a synthetic world of N profiles through the in-process fakes, then re-sync with 1% churn.",
            discussion: """
                Without --capacity: wall-clock throughput with no modelled latency or query limit.
                With --capacity: virtual time with the default latency and limits, against the bound the limits set.

                Example:
                  cohortsim bench --profiles 200000 --json
                  cohortsim bench --capacity --profiles 100000 --syncs 3
                """)

        @Option(help: "Number of profiles (default: 1000000, or 100000 with --capacity).") var profiles: Int?
        @Flag(help: "Measure virtual time under the services' latency and limits instead of wall time.") var capacity = false
        @Option(help: "With --capacity: also export the cohort cut into this many smaller cohorts, one sync each, started together on the same key and project.") var syncs = 1
        @Option(help: "With --capacity: whether /engage pages of an open session count as queries (true or false).")
        var sessionPagesCount = true
        @Flag(help: "Print one JSON object.") var json = false

        mutating func run() async throws {
            let profiles = self.profiles ?? (capacity ? 100_000 : 1_000_000)
            guard profiles >= 100 else { throw invalidInput("--profiles must be at least 100") }
            guard capacity || (syncs == 1 && sessionPagesCount) else {
                throw invalidInput("--syncs and --session-pages-count need --capacity")
            }
            guard (1...20).contains(syncs) else { throw invalidInput("--syncs must be between 1 and 20") }
            if capacity {
                try await runCapacity(profiles: profiles)
                return
            }
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

        private func runCapacity(profiles: Int) async throws {
            let figures = try await CapacityBenchmark(profiles: profiles, syncs: syncs, sessionPagesCount: sessionPagesCount).run()
            if json {
                print(figures.json.canonicalText)
                return
            }
            print("profiles                 \(figures.profiles), session pages count: \(figures.sessionPagesCount)")
            print("first export             \(Self.line(figures.firstExport)); \(figures.slotsSkippedByFirstExport) slot(s) skipped")
            print("re-sync (1% churn)       \(Self.line(figures.resync))")
            if let all = figures.allSyncs {
                print("\(figures.syncs) shard syncs together  \(Self.line(all))")
            }
        }

        static func line(_ phase: CapacityBenchmark.Phase) -> String {
            "\(Self.duration(phase.virtualSeconds)) virtual, bound \(Self.duration(phase.boundSeconds)) "
                + "(×\(String(format: "%.2f", phase.ratio))); \(phase.queries) queries (\(phase.meteredQueries) metered), "
                + "\(phase.mailchimpRequests) Mailchimp requests"
        }

        static func duration(_ seconds: Double) -> String {
            seconds >= 3_600 ? String(format: "%.2f h", seconds / 3_600) : String(format: "%.1f s", seconds)
        }
    }
}

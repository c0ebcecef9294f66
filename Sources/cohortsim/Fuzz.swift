import ArgumentParser
import Foundation
import Harness
import Report
import SimCore
import Synchronization

extension CohortSim {
    /// `cohortsim fuzz`: seeded random worlds and timelines against named invariants.
    struct Fuzz: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run seeded random worlds, fault plans and timelines against named invariants; shrink what breaks to a scenario file.",
            discussion: """
                Seeds are --base, --base+1, … (never the clock); --corpus seeds run first. The same seed gives the same \
                world, run and report every time. Exit status: 0 no violation, 1 a violation, 2 invalid options.

                Example:
                  cohortsim fuzz --seeds 1000 --jobs 2
                  cohortsim fuzz --seed 99 --size medium      # one seed; a violation is shrunk to fuzz-findings/
                  cohortsim fuzz --seeds 300 --report .build/fuzz-report
                """)

        @Option(help: "Run only this seed (and shrink its violation).")
        var seed: UInt64?

        @Option(help: "How many seeds to run.")
        var seeds = 100

        @Option(help: "The first seed of the range.")
        var base: UInt64 = 1

        @Option(help: "World and timeline size: small, medium or large.")
        var size = "small"

        @Option(help: "Stop starting new seeds after this long (wall clock), e.g. 60s or 5m.")
        var time: String?

        @Option(help: "Seeds run at once (results are identical to --jobs 1).")
        var jobs = 1

        @Option(help: "Run shard I of N (1-based): the seeds s with s % N = I - 1.")
        var shard: String?

        @Option(help: "Folder of failing seeds: replayed first, and each new failing seed is added.")
        var corpus: String?

        @Option(help: "Folder for shrunk scenario files.")
        var out = "fuzz-findings"

        @Option(help: "Shrink at most this many violations (one per invariant, first seeds first).")
        var shrinkLimit = 3

        @Flag(help: "Do not shrink violations.")
        var noShrink = false

        @Option(help: "Write a JUnit XML report (one case per invariant) to this file.")
        var junit: String?

        @Option(help: "Write a JSON summary to this file.")
        var json: String?

        @Option(help: ArgumentHelp("Write a static HTML report (every seed; for a violation its invariant, the step where it broke, the shrunk scenario and its timeline, audience and requests) to this folder.", valueName: "dir"))
        var report: String?

        @Option(help: "How the engine reaches the fakes: in-process or loopback.")
        var transport = "in-process"

        @Flag(help: "With --seed: print the generated scenario as a scenario file, then exit.")
        var emit = false

        @Option(help: ArgumentHelp("Plant a misbehaviour in every case's fake Mailchimp, to see the fuzzer catch it (repeatable): \(FuzzSabotage.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "kind"))
        var sabotage: [String] = []

        @Flag(help: "List the invariants and coverage points, then exit.")
        var listInvariants = false

        mutating func run() async throws {
            if listInvariants {
                for invariant in Invariant.allCases where invariant != .harnessError { print("\(invariant.rawValue): \(invariant.summary)") }
                print("sometimes: " + CoveragePoint.allCases.map(\.rawValue).joined(separator: ", "))
                return
            }
            guard let size = FuzzSize(rawValue: size) else { throw invalidInput("--size must be small, medium or large, not '\(self.size)'") }
            guard let transport = TransportMode(rawValue: transport) else { throw invalidInput("--transport must be in-process or loopback") }
            guard jobs >= 1 else { throw invalidInput("--jobs must be at least 1") }
            guard seeds >= 0 else { throw invalidInput("--seeds must not be negative") }
            guard shrinkLimit >= 0 else { throw invalidInput("--shrink-limit must not be negative") }
            let planted = try sabotage.map { text -> FuzzSabotage in
                guard let kind = FuzzSabotage(rawValue: text) else {
                    throw invalidInput("--sabotage must be one of \(FuzzSabotage.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
                }
                return kind
            }
            if emit {
                guard let seed else { throw invalidInput("--emit needs --seed") }
                do { print(try ScenarioWriter.yaml(FuzzGenerator(seed: seed, size: size, sabotage: planted).scenario()), terminator: "") } catch { throw invalidInput("\(error)") }
                return
            }
            let shardValue = try shard.map { text -> (index: Int, count: Int) in
                guard let parsed = SuiteRunner.Selection.parseShard(text) else { throw invalidInput("--shard must be I/N with 1 ≤ I ≤ N, e.g. 2/4") }
                return parsed
            }
            let budget = try time.map { text -> Duration in
                guard let d = SimDuration(parsing: text), d.milliseconds > 0 else { throw invalidInput("--time must be a duration such as 60s or 5m") }
                return .milliseconds(d.milliseconds)
            }
            let corpusStore = corpus.map(FuzzCorpus.init(folder:))
            let replay: [UInt64]
            do { replay = try corpusStore?.seeds(size: size) ?? [] } catch { throw invalidInput("cannot read --corpus \(corpus!): \(error)") }
            let plan = seed.map { FuzzCampaign.Plan(size: size, base: $0, count: 1) }
                ?? FuzzCampaign.Plan(size: size, base: base, count: seeds, replay: replay, shard: shardValue)
            let list = plan.seeds
            let writer = try report.map(preparedReportWriter)
            let terminal = Terminal()
            print("Fuzzing \(list.count) seed(s), size \(size.rawValue), jobs \(jobs)" + (replay.isEmpty || seed != nil ? "" : ", \(replay.count) from the corpus first"))

            let clock = ContinuousClock()
            let started = clock.now
            let counter = ProgressCounter()
            let results = await FuzzCampaign(transport: transport, jobs: jobs, sabotage: planted, tracesViolations: writer != nil).run(list, size: size, keepGoing: {
                guard let budget else { return true }
                return clock.now - started < budget
            }, progress: { result in
                let (done, failing) = counter.add(failed: !result.result.violations.isEmpty)
                let seconds = Double((clock.now - started).components.attoseconds) / 1e18 + Double((clock.now - started).components.seconds)
                terminal.progress(done, list.count, String(format: "%.0f seeds/s, %d failing", Double(done) / max(seconds, 0.001), failing))
            })
            terminal.clearProgress()
            let elapsed = clock.now - started
            let summary = FuzzSummary(size: size, results: results, sabotage: planted)
            try printSummary(summary, terminal: terminal, corpus: corpusStore, transport: transport)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            printError(String(format: "%d seeds in %.1f s (%.1f seeds/s)", results.count, seconds, Double(results.count) / max(seconds, 0.001)))
            let findings = summary.failing.isEmpty ? [:]
                : try await shrinkFindings(summary, size: size, sabotage: planted, transport: transport, terminal: terminal)
            if let writer {
                let context = "cohortsim fuzz, transport \(transport.rawValue)" + planted.map { ", sabotage \($0.rawValue)" }.joined()
                let document = try ReportDocument.fuzz(summary: summary, findings: findings, context: context)
                let index = try writer.write(try ReportRenderer().render(document))
                print("report: \(index)")
            }
            if !summary.failing.isEmpty { throw ExitCode(1) }
        }

        private func printSummary(_ summary: FuzzSummary, terminal: Terminal, corpus: FuzzCorpus?, transport: TransportMode) throws {
            for failing in summary.failing {
                for violation in failing.result.violations {
                    print(terminal.red("VIOLATION") + " seed \(failing.seed): \(violation.line)")
                }
                print("  repro: \(summary.repro(failing.seed))")
                if let first = failing.result.first { try corpus?.add(seed: failing.seed, size: summary.size, violation: first) }
            }
            print("coverage (seeds that reached each path, of \(summary.results.count)):")
            for (point, count) in summary.coverage {
                print("  " + (count == 0 ? terminal.yellow("never") : String(format: "%5d", count)) + "  \(point.rawValue)")
            }
            let line = "\(summary.results.count) seed(s), \(summary.failing.count) with violations"
            print(summary.failing.isEmpty ? terminal.green(line) : terminal.red(line))
            if let junit { try summary.junit.write(toFile: junit, atomically: true, encoding: .utf8) }
            if let json { try (summary.json.canonicalText + "\n").write(toFile: json, atomically: true, encoding: .utf8) }
        }

        /// Shrinks the first violation of each invariant (up to the limit); returns the findings by seed.
        private func shrinkFindings(_ summary: FuzzSummary, size: FuzzSize, sabotage: [FuzzSabotage],
                                    transport: TransportMode, terminal: Terminal) async throws -> [UInt64: ShrunkFinding] {
            guard !noShrink, shrinkLimit > 0 else { return [:] }
            var findings: [UInt64: ShrunkFinding] = [:]
            var done = Set<Invariant>()
            let commit = Self.commit()
            for failing in summary.failing {
                guard let violation = failing.result.first, done.count < shrinkLimit, done.insert(violation.invariant).inserted else { continue }
                do {
                    let clock = ContinuousClock()
                    let started = clock.now
                    let finding = try await Shrinker(invariant: violation.invariant, transport: transport)
                        .shrinkAndWrite(seed: failing.seed, size: size, sabotage: sabotage, violation: violation, commit: commit, folder: out)
                    findings[failing.seed] = finding
                    print("shrunk seed \(failing.seed) (\(violation.invariant.rawValue)): \(finding.originalSteps) → \(finding.scenario.steps.count) steps in \(finding.replays) replays: \(finding.path)")
                    let elapsed = clock.now - started
                    printError(String(format: "shrinking took %.1f s", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
                } catch {
                    print(terminal.red("could not shrink seed \(failing.seed): \(error)"))
                }
            }
            return findings
        }

        /// The checked-out commit, for the shrunk file's description (`unknown` outside a git checkout).
        static func commit() -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "rev-parse", "--short", "HEAD"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch { return "unknown" }
            process.waitUntilExit()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingWhitespace()
            return process.terminationStatus == 0 && !text.isEmpty ? text : "unknown"
        }
    }
}

/// Counts finished seeds from concurrent callbacks.
final class ProgressCounter: Sendable {
    private let state = Mutex((done: 0, failing: 0))

    func add(failed: Bool) -> (Int, Int) {
        state.withLock { state in
            state.done += 1
            if failed { state.failing += 1 }
            return (state.done, state.failing)
        }
    }
}

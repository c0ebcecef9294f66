import FakeMailchimp
import Foundation
import SimCore

/// Many fuzz cases: seeds from a fixed base (or a corpus), run at most `jobs` at once; results
/// keep seed order, so the report is the same serial or parallel, whole or sharded.
public struct FuzzCampaign: Sendable {
    /// Where the seeds come from.
    public struct Plan: Sendable, Equatable {
        public var size: FuzzSize
        /// Seeds replayed first (a corpus of earlier failures).
        public var replay: [UInt64] = []
        /// `base`, `base + 1`, … `base + count - 1`.
        public var base: UInt64
        public var count: Int
        /// 1-based shard index and count: seed `s` belongs to shard `s % count + 1`.
        public var shard: (index: Int, count: Int)?

        public init(size: FuzzSize, base: UInt64, count: Int, replay: [UInt64] = [], shard: (index: Int, count: Int)? = nil) {
            self.size = size
            self.base = base
            self.count = count
            self.replay = replay
            self.shard = shard
        }

        public static func == (a: Plan, b: Plan) -> Bool {
            a.size == b.size && a.replay == b.replay && a.base == b.base && a.count == b.count
                && a.shard?.index == b.shard?.index && a.shard?.count == b.shard?.count
        }

        /// Every seed in order (corpus first, then the range, without repeats), this shard's only.
        public var seeds: [UInt64] {
            var seen = Set<UInt64>()
            let all = (replay + (0..<UInt64(max(0, count))).map { base &+ $0 }).filter { seen.insert($0).inserted }
            guard let shard else { return all }
            return all.filter { Int($0 % UInt64(shard.count)) == shard.index - 1 }
        }
    }

    /// One seed's result.
    public struct SeedResult: Sendable, Equatable {
        public var seed: UInt64
        public var result: FuzzCaseResult
    }

    public var transport: TransportMode
    public var jobs: Int
    /// Misbehaviours planted in every case's fake Mailchimp (see ``FuzzGenerator/sabotage``).
    public var sabotage: [MailchimpWorld.Sabotage]
    /// Whether seeds with a violation keep their trace, with audience samples, for the HTML
    /// report. Seeds without one never keep it (a campaign of thousands would hold them all).
    public var tracesViolations: Bool

    public init(transport: TransportMode = .inProcess, jobs: Int = 1, sabotage: [MailchimpWorld.Sabotage] = [],
                tracesViolations: Bool = false) {
        self.transport = transport
        self.jobs = jobs
        self.sabotage = sabotage
        self.tracesViolations = tracesViolations
    }

    /// Runs `seeds` in order; `keepGoing` is asked before each new seed starts (a time budget) and
    /// `progress` after each finishes, in completion order.
    public func run(_ seeds: [UInt64], size: FuzzSize, keepGoing: @escaping @Sendable () -> Bool = { true },
                    progress: @escaping @Sendable (SeedResult) -> Void = { _ in }) async -> [SeedResult] {
        await withTaskGroup(of: (Int, SeedResult).self) { group in
            var results = [SeedResult?](repeating: nil, count: seeds.count)
            var next = 0
            let transport = transport
            let sabotage = sabotage
            let traces = tracesViolations
            func start(_ index: Int) {
                let seed = seeds[index]
                group.addTask {
                    let scenario = FuzzGenerator(seed: seed, size: size, sabotage: sabotage).scenario()
                    var result = await FuzzCase(transport: transport, samplesAudience: traces).run(scenario)
                    if !traces || result.violations.isEmpty { result.trace = nil }
                    return (index, SeedResult(seed: seed, result: result))
                }
            }
            while next < min(max(jobs, 1), seeds.count) && keepGoing() { start(next); next += 1 }
            for await (index, result) in group {
                results[index] = result
                progress(result)
                if next < seeds.count && keepGoing() { start(next); next += 1 }
            }
            return results.compactMap { $0 }
        }
    }
}

/// What a campaign found, for the terminal, `--json` and `--junit`.
public struct FuzzSummary: Sendable {
    public var size: FuzzSize
    public var results: [FuzzCampaign.SeedResult]
    /// The planted misbehaviours the campaign ran with, repeated in every repro line.
    public var sabotage: [MailchimpWorld.Sabotage]

    public init(size: FuzzSize, results: [FuzzCampaign.SeedResult], sabotage: [MailchimpWorld.Sabotage] = []) {
        self.size = size
        self.results = results
        self.sabotage = sabotage
    }

    public var failing: [FuzzCampaign.SeedResult] { results.filter { !$0.result.violations.isEmpty } }

    /// Seeds that reached each coverage point.
    public var coverage: [(CoveragePoint, Int)] {
        CoveragePoint.allCases.map { point in (point, results.filter { $0.result.coverage.contains(point) }.count) }
    }

    /// Seeds whose first violation is each invariant.
    public func seeds(breaking invariant: Invariant) -> [UInt64] {
        results.filter { $0.result.first?.invariant == invariant }.map(\.seed)
    }

    public func repro(_ seed: UInt64) -> String {
        "cohortsim fuzz --seed \(seed) --size \(size.rawValue)" + sabotage.map { " --sabotage \($0.rawValue)" }.joined()
    }

    /// One JSON document: seeds run, violations with repro lines, coverage counts.
    public var json: JSONValue {
        .object([
            "size": .string(size.rawValue),
            "seeds": .int(Int64(results.count)),
            "violations": .array(failing.map { seed in
                .object(["seed": .int(Int64(bitPattern: seed.seed)), "repro": .string(repro(seed.seed)),
                         "invariants": .array(seed.result.violations.map { v in
                             .object(["invariant": .string(v.invariant.rawValue), "step": v.step.map { .int(Int64($0)) } ?? .null,
                                      "time": .string(v.time), "detail": .string(v.detail)])
                         })])
            }),
            "coverage": .object(Dictionary(uniqueKeysWithValues: coverage.map { ($0.0.rawValue, JSONValue.int(Int64($0.1))) })),
        ])
    }

    /// JUnit XML: one test case per invariant, failed with every seed that broke it.
    public var junit: String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let broken = Invariant.allCases.filter { !seeds(breaking: $0).isEmpty }.count
        xml += "<testsuite name=\"cohortsim fuzz (\(size.rawValue), \(results.count) seeds)\" tests=\"\(Invariant.allCases.count)\" failures=\"\(broken)\">\n"
        for invariant in Invariant.allCases {
            xml += "  <testcase classname=\"fuzz\" name=\"\(invariant.rawValue)\">"
            let seeds = seeds(breaking: invariant)
            if let first = seeds.first, let hit = results.first(where: { $0.seed == first })?.result.first {
                let message = "broken by \(seeds.count) seed(s); first: \(repro(first))"
                xml += "\n    <failure message=\"\(JUnitReport.escape(message))\">\(JUnitReport.escape(hit.line))</failure>\n  "
            }
            xml += "</testcase>\n"
        }
        return xml + "</testsuite>\n"
    }
}


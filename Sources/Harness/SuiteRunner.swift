import Foundation
import SimCore

/// Finds scenario files, selects, replays them (in parallel if asked), checks goldens and reports.
public struct SuiteRunner: Sendable {
    /// The outcome of one scenario in a suite run.
    public struct Result: Sendable, Equatable {
        public var scenarioID: String
        public var file: String
        public var seed: UInt64
        public var verdict: GoldenVerdict?
        /// A step that could not be carried out, a failed inline expectation, or a harness failure.
        public var error: String?
        /// Wall-clock seconds the replay took, for JUnit's `time` only: never part of an outcome,
        /// and ignored by `==` (the same suite gives equal results at any speed or parallelism).
        public var seconds: Double = 0
        /// The replay as values, for the HTML report (`nil` when the scenario could not run).
        /// Ignored by `==`, like `seconds`.
        public var trace: ScenarioTrace?
        /// The golden and the actual outcome when they differ, for a side-by-side diff.
        public var comparison: GoldenComparison?

        public static func == (a: Result, b: Result) -> Bool {
            a.scenarioID == b.scenarioID && a.file == b.file && a.seed == b.seed && a.verdict == b.verdict && a.error == b.error
        }

        public var passed: Bool { verdict == .passed && error == nil }
        public var recorded: Bool { verdict == .recorded && error == nil }
        public var failed: Bool { !passed && !recorded }
    }

    /// Counts over a suite run.
    public struct Summary: Sendable {
        public var results: [Result]
        /// Goldens no selected scenario produces (only checked when the whole suite runs).
        public var orphans: [String]

        public init(results: [Result], orphans: [String] = []) {
            self.results = results
            self.orphans = orphans
        }

        public var passed: Int { results.filter(\.passed).count }
        public var recorded: Int { results.filter(\.recorded).count }
        public var failed: Int { results.filter(\.failed).count + orphans.count }
    }

    /// Which scenarios a run includes.
    public struct Selection: Sendable {
        /// A regular expression matched against the scenario id, file path and name.
        public var filter: String?
        public var tag: String?
        /// 1-based shard index and shard count: a stable split by scenario id.
        public var shard: (index: Int, count: Int)?

        public init(filter: String? = nil, tag: String? = nil, shard: (index: Int, count: Int)? = nil) {
            self.filter = filter
            self.tag = tag
            self.shard = shard
        }

        /// True when every scenario is selected (so orphaned goldens can be detected).
        public var isEverything: Bool { filter == nil && tag == nil && shard == nil }

        /// Parses `I/N` with 1 ≤ I ≤ N.
        public static func parseShard(_ text: String) -> (index: Int, count: Int)? {
            let parts = text.split(separator: "/")
            guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else { return nil }
            return (i, n)
        }

        public func includes(_ scenario: Scenario) throws -> Bool {
            if let filter {
                let regex = try Regex(filter)
                let haystacks = [scenario.id, scenario.file, scenario.name]
                guard haystacks.contains(where: { $0.contains(regex) }) else { return false }
            }
            if let tag, !scenario.tags.contains(tag) { return false }
            if let shard, Int(StableHash.fnv1a64(scenario.id) % UInt64(shard.count)) != shard.index - 1 { return false }
            return true
        }
    }

    public let scenarioRoot: String
    public let goldens: GoldenStore
    public let mode: RecordMode
    /// Replaces every scenario's seed when set.
    public let seedOverride: UInt64?
    /// Whether each replay samples its audiences after every step (see ``ScenarioRunner/samplesAudience``).
    public let samplesAudience: Bool

    public init(scenarioRoot: String, goldenRoot: String, mode: RecordMode, seedOverride: UInt64? = nil, samplesAudience: Bool = false) {
        self.scenarioRoot = scenarioRoot
        goldens = GoldenStore(root: goldenRoot)
        self.mode = mode
        self.seedOverride = seedOverride
        self.samplesAudience = samplesAudience
    }

    /// Every `.yaml`/`.yml` file under `paths` (files or folders), sorted.
    public func discover(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ScenarioError(file: path, line: 0, column: 0, message: "no such file or folder")
            }
            if isDirectory.boolValue {
                let enumerator = FileManager.default.enumerator(atPath: path)
                while let item = enumerator?.nextObject() as? String {
                    if item.hasSuffix(".yaml") || item.hasSuffix(".yml") { files.append((path as NSString).appendingPathComponent(item)) }
                }
            } else {
                files.append(path)
            }
        }
        return Array(Set(files.map(Self.normalize))).sorted()
    }

    /// The scenario's id: its path below the scenario root, without extension.
    public func scenarioID(for file: String) -> String {
        let root = Self.normalize(scenarioRoot) + "/"
        var relative = Self.normalize(file)
        if relative.hasPrefix(root) { relative = String(relative.dropFirst(root.count)) } else { relative = (relative as NSString).lastPathComponent }
        return (relative as NSString).deletingPathExtension
    }

    /// Parses every file first, so an invalid scenario stops the run before anything executes.
    public func load(_ files: [String]) -> (scenarios: [Scenario], errors: [ScenarioError]) {
        var scenarios: [Scenario] = []
        var errors: [ScenarioError] = []
        for file in files {
            do {
                var scenario = try ScenarioParser.parse(file: file, id: scenarioID(for: file))
                if let seedOverride { scenario.seed = seedOverride }
                scenarios.append(scenario)
            } catch let error as ScenarioError {
                errors.append(error)
            } catch {
                errors.append(ScenarioError(file: file, line: 1, column: 1, message: "\(error)"))
            }
        }
        let ids = Dictionary(grouping: scenarios, by: \.id).filter { $0.value.count > 1 }
        for (id, clashing) in ids.sorted(by: { $0.key < $1.key }) {
            errors.append(ScenarioError(file: clashing[1].file, line: 1, column: 1,
                                        message: "scenario id '\(id)' is also produced by \(clashing[0].file); goldens would collide"))
        }
        return (scenarios, errors)
    }

    /// Runs one scenario and checks its golden.
    public func run(_ scenario: Scenario) async -> Result {
        var result = Result(scenarioID: scenario.id, file: scenario.file, seed: scenario.seed, verdict: nil, error: nil)
        let clock = ContinuousClock()
        let started = clock.now
        do {
            let outcome = try await ScenarioRunner(samplesAudience: samplesAudience).run(scenario)
            result.trace = outcome.trace
            result.verdict = try goldens.check(scenarioID: scenario.id, actual: outcome.document, mode: mode)
            switch result.verdict {
            case .mismatch, .pending:
                result.comparison = GoldenComparison(golden: goldens.text(for: scenario.id) ?? "", actual: outcome.document)
            default: break
            }
            if !outcome.expectationFailures.isEmpty { result.error = outcome.expectationFailures.joined(separator: "\n") }
        } catch {
            result.error = "\(error)"
        }
        let elapsed = clock.now - started
        result.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return result
    }

    /// Runs `scenarios` with at most `jobs` at once; results keep the input order, so the report
    /// is identical whatever the parallelism. `progress` is called as each one finishes.
    public func run(_ scenarios: [Scenario], jobs: Int,
                    progress: @escaping @Sendable (Int, Result) -> Void = { _, _ in }) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            var results = [Result?](repeating: nil, count: scenarios.count)
            var next = 0
            func start(_ index: Int) { group.addTask { (index, await self.run(scenarios[index])) } }
            while next < min(max(jobs, 1), scenarios.count) { start(next); next += 1 }
            var done = 0
            while let (index, result) = await group.next() {
                results[index] = result
                done += 1
                progress(done, result)
                if next < scenarios.count { start(next); next += 1 }
            }
            return results.map { $0! }
        }
    }

    static func normalize(_ path: String) -> String {
        var p = path
        while p.hasPrefix("./") { p = String(p.dropFirst(2)) }
        while p.hasSuffix("/") && p.count > 1 { p = String(p.dropLast()) }
        return p
    }
}

/// The two texts a golden check compared, when they differed.
public struct GoldenComparison: Sendable, Equatable {
    public var golden: String
    public var actual: String

    public init(golden: String, actual: String) {
        self.golden = golden
        self.actual = actual
    }
}

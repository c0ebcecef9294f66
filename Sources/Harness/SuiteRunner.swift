import Foundation

/// Finds scenario files, replays them, checks goldens and reports, as `cohortsim run` does.
public struct SuiteRunner: Sendable {
    /// The outcome of one scenario in a suite run.
    public struct Result: Sendable {
        public var scenarioID: String
        public var file: String
        public var verdict: GoldenVerdict?
        /// A step that could not be carried out, or an engine/harness failure.
        public var error: String?

        public var passed: Bool { verdict == .passed && error == nil }
    }

    /// The outcome of a whole suite run.
    public struct Summary: Sendable {
        public var results: [Result]

        public init(results: [Result]) { self.results = results }

        public var passed: Int { results.filter(\.passed).count }
        public var failed: Int { results.count - passed - recorded }
        public var recorded: Int { results.filter { if case .recorded = $0.verdict, $0.error == nil { return true }; return false }.count }
    }

    public let scenarioRoot: String
    public let goldens: GoldenStore
    public let mode: RecordMode

    public init(scenarioRoot: String, goldenRoot: String, mode: RecordMode) {
        self.scenarioRoot = scenarioRoot
        goldens = GoldenStore(root: goldenRoot)
        self.mode = mode
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
            do { scenarios.append(try ScenarioParser.parse(file: file, id: scenarioID(for: file))) } catch let error as ScenarioError {
                errors.append(error)
            } catch {
                errors.append(ScenarioError(file: file, line: 1, column: 1, message: "\(error)"))
            }
        }
        return (scenarios, errors)
    }

    public func run(_ scenario: Scenario) async -> Result {
        do {
            let outcome = try await ScenarioRunner().run(scenario)
            let verdict = try goldens.check(scenarioID: scenario.id, actual: outcome, mode: mode)
            return Result(scenarioID: scenario.id, file: scenario.file, verdict: verdict, error: nil)
        } catch {
            return Result(scenarioID: scenario.id, file: scenario.file, verdict: nil, error: "\(error)")
        }
    }

    static func normalize(_ path: String) -> String {
        var p = path
        while p.hasPrefix("./") { p = String(p.dropFirst(2)) }
        while p.hasSuffix("/") && p.count > 1 { p = String(p.dropLast()) }
        return p
    }
}

import Foundation

/// When goldens are written.
public enum RecordMode: String, Sendable, CaseIterable {
    /// Never write; a missing golden is a failure (CI).
    case never
    /// Write goldens that do not exist yet (local default).
    case missing
    /// Rewrite goldens that do not match.
    case failed
    /// Rewrite every golden.
    case all

    /// `never` when the environment has `CI=true`, else `missing`.
    public static func defaultMode(environment: [String: String]) -> RecordMode {
        environment["CI"]?.lowercased() == "true" ? .never : .missing
    }
}

/// The result of checking one scenario's outcome against its golden.
public enum GoldenVerdict: Equatable, Sendable {
    case passed
    /// The golden did not match; `diff` is golden vs actual.
    case mismatch(diff: String)
    /// No golden exists and the mode does not allow writing one.
    case missing
    /// A golden was written (new or rewritten); not a pass until compared on a later run.
    case recorded(rewritten: Bool)
}

/// Goldens live under `golden/`, mirroring the scenario path: `scenarios/a/b.yaml` → `golden/a/b.golden`.
public struct GoldenStore: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public func path(for scenarioID: String) -> String { "\(root)/\(scenarioID).golden" }

    public func check(scenarioID: String, actual: String, mode: RecordMode) throws -> GoldenVerdict {
        let path = path(for: scenarioID)
        let existing = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        guard let expected = existing else {
            guard mode != .never else { return .missing }
            try write(actual, to: path)
            return .recorded(rewritten: false)
        }
        if mode == .all {
            try write(actual, to: path)
            return expected == actual ? .passed : .recorded(rewritten: true)
        }
        if expected == actual { return .passed }
        if mode == .failed {
            try write(actual, to: path)
            return .recorded(rewritten: true)
        }
        return .mismatch(diff: UnifiedDiff.diff(expected: expected, actual: actual, expectedLabel: path, actualLabel: "actual outcome of \(scenarioID)"))
    }

    private func write(_ text: String, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

import Foundation

/// When outcomes are written for review. Nothing here ever replaces or creates a golden: every
/// write is a `.pending` file that `cohortsim review` shows and `accept` / `reject` settle, and a
/// run that wrote one fails (a recording is never a pass).
public enum RecordMode: String, Sendable, CaseIterable {
    /// Write nothing; a missing golden and a mismatch are failures (CI).
    case never
    /// A scenario without a golden gets a pending one (local default); a mismatch only fails.
    case missing
    /// A golden that does not match gets a pending outcome beside it; a missing golden only fails.
    case failed
    /// Both: pending outcomes for mismatches and pending goldens for new scenarios.
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
    /// No golden existed; the outcome was written as a pending golden, not a pass until accepted.
    case recorded
    /// The golden did not match and the actual outcome was written beside it as `.pending`.
    case pending(diff: String)
}

/// Goldens live under `golden/`, mirroring the scenario path: `scenarios/a/b.yaml` → `golden/a/b.golden`.
/// Pending outcomes (`--record failed|all`) are written as `golden/a/b.golden.pending` and never
/// replace a golden until accepted.
public struct GoldenStore: Sendable {
    public static let fileExtension = "golden"
    public static let pendingSuffix = ".pending"

    public let root: String

    public init(root: String) { self.root = root }

    public func path(for scenarioID: String) -> String { "\(root)/\(scenarioID).\(Self.fileExtension)" }

    public func pendingPath(for scenarioID: String) -> String { path(for: scenarioID) + Self.pendingSuffix }

    public func check(scenarioID: String, actual: String, mode: RecordMode) throws -> GoldenVerdict {
        let path = path(for: scenarioID)
        guard let expected = read(path) else {
            guard mode == .missing || mode == .all else { return .missing }
            try write(actual, to: pendingPath(for: scenarioID))
            return .recorded
        }
        if expected == actual {
            try removePending(scenarioID)
            return .passed
        }
        let diff = UnifiedDiff.diff(expected: expected, actual: actual, expectedLabel: path, actualLabel: "actual outcome of \(scenarioID)")
        guard mode == .failed || mode == .all else { return .mismatch(diff: diff) }
        try write(actual, to: pendingPath(for: scenarioID))
        return .pending(diff: diff)
    }

    /// The golden of `scenarioID`, if there is one.
    public func text(for scenarioID: String) -> String? { read(path(for: scenarioID)) }

    /// Ids of scenarios with a pending outcome, sorted.
    public func pendingIDs() -> [String] {
        allFiles(suffix: ".\(Self.fileExtension)\(Self.pendingSuffix)")
    }

    /// Ids of every golden under the root, sorted.
    public func goldenIDs() -> [String] {
        allFiles(suffix: ".\(Self.fileExtension)")
    }

    /// The diff a pending file would make to its golden (a new golden diffs against nothing).
    public func pendingDiff(for scenarioID: String) -> String? {
        guard let pending = read(pendingPath(for: scenarioID)) else { return nil }
        let golden = read(path(for: scenarioID)) ?? ""
        return UnifiedDiff.diff(expected: golden, actual: pending, expectedLabel: path(for: scenarioID),
                                actualLabel: pendingPath(for: scenarioID))
    }

    /// Replaces the golden with its pending outcome. Returns `false` when nothing was pending.
    @discardableResult
    public func accept(_ scenarioID: String) throws -> Bool {
        let pending = pendingPath(for: scenarioID)
        guard let text = read(pending) else { return false }
        try write(text, to: path(for: scenarioID))
        try FileManager.default.removeItem(atPath: pending)
        return true
    }

    /// Deletes a pending outcome, leaving the golden (if any) as it was. Returns `false` when
    /// nothing was pending.
    @discardableResult
    public func reject(_ scenarioID: String) throws -> Bool {
        guard FileManager.default.fileExists(atPath: pendingPath(for: scenarioID)) else { return false }
        try FileManager.default.removeItem(atPath: pendingPath(for: scenarioID))
        return true
    }

    /// A stale pending outcome of a scenario that now matches its golden.
    private func removePending(_ scenarioID: String) throws {
        let pending = pendingPath(for: scenarioID)
        if FileManager.default.fileExists(atPath: pending) { try FileManager.default.removeItem(atPath: pending) }
    }

    /// Goldens that no scenario in `scenarioIDs` produces.
    public func orphans(scenarioIDs: Set<String>) -> [String] {
        goldenIDs().filter { !scenarioIDs.contains($0) }
    }

    private func allFiles(suffix: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var ids: [String] = []
        while let item = enumerator.nextObject() as? String {
            if item.hasSuffix(suffix) { ids.append(String(item.dropLast(suffix.count))) }
        }
        return ids.sorted()
    }

    private func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    private func write(_ text: String, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

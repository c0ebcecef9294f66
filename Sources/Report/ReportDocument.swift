import Harness
import SimCore

/// Everything one HTML report shows: a title, a summary line and one entry per scenario or seed.
/// Built from the harness's values (``ReportDocument/suite(scenarios:summary:repro:)``,
/// ``ReportDocument/fuzz(summary:findings:)``), rendered by ``ReportRenderer``.
public struct ReportDocument: Sendable {
    public var title: String
    /// e.g. `83 scenarios: 0 failed, 83 passed`.
    public var summary: String
    /// How it was produced (the command line), shown under the title.
    public var context: String
    public var entries: [ReportEntry]

    public init(title: String, summary: String, context: String, entries: [ReportEntry]) {
        self.title = title
        self.summary = summary
        self.context = context
        self.entries = entries
    }

    /// Every entry's secrets as one scan.
    var secrets: SecretScan { SecretScan(merging: entries.map(\.secrets)) }

    /// Every tag of every entry, sorted.
    public var tags: [String] { Array(Set(entries.flatMap(\.tags))).sorted() }
}

/// One scenario (or fuzz seed) in a report.
public struct ReportEntry: Sendable {
    /// How the entry ended.
    public enum Status: String, Sendable, CaseIterable {
        case failed, recorded, passed

        var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    }

    /// The scenario id (`export/one-time-basic`) or `seed 17`.
    public var id: String
    public var title: String
    public var file: String?
    public var seed: UInt64
    public var status: Status
    /// One line: why it failed, or `passed`.
    public var verdict: String
    public var tags: [String]
    public var description: String
    /// The replay as values; `nil` when it could not run or a fuzz seed passed (no page then).
    public var trace: ScenarioTrace?
    /// An error, failed inline expectations, or a harness failure.
    public var failure: String?
    /// Golden against actual, for a mismatch.
    public var diff: SideBySideDiff?
    /// The one command that reproduces a failure.
    public var repro: String?
    /// The invariants a fuzz seed broke.
    public var violations: [Violation]
    /// The shrunk scenario file of a fuzz violation, and where it was written.
    public var shrunk: (path: String, yaml: String)?
    /// The secrets of the scenario(s) behind this entry: redacted from every value shown.
    public var secrets: SecretScan

    public init(id: String, title: String, file: String?, seed: UInt64, status: Status, verdict: String, tags: [String],
                description: String, trace: ScenarioTrace?, failure: String? = nil, diff: SideBySideDiff? = nil, repro: String? = nil,
                violations: [Violation] = [], shrunk: (path: String, yaml: String)? = nil, secrets: [SecretScan]) {
        self.secrets = SecretScan(merging: secrets)
        self.id = id
        self.title = title
        self.file = file
        self.seed = seed
        self.status = status
        self.verdict = verdict
        self.tags = tags
        self.description = description
        self.trace = trace
        self.failure = failure
        self.diff = diff
        self.repro = repro
        self.violations = violations
        self.shrunk = shrunk
    }

    /// Whether the entry has a page of its own.
    public var hasPage: Bool { trace != nil || failure != nil || diff != nil || !violations.isEmpty }

    /// `text` with this entry's secrets replaced.
    func redact(_ text: String) -> String { secrets.redact(text) }
}

import Harness

extension ReportDocument {
    /// The report of a fuzz campaign: one entry per seed (a page for each seed with a violation:
    /// its trace, the invariants, the step where each broke and the shrunk scenario).
    public static func fuzz(summary: FuzzSummary, findings: [UInt64: ShrunkFinding],
                            context: String) throws -> ReportDocument {
        let entries = try summary.results.map { seed in try entry(seed, summary: summary, finding: findings[seed.seed]) }
        let line = "\(summary.results.count) seed(s), size \(summary.size.rawValue): \(summary.failing.count) with violations"
        return ReportDocument(title: "CohortSim fuzz report", summary: line, context: context, entries: entries)
    }

    private static func entry(_ seed: FuzzCampaign.SeedResult, summary: FuzzSummary,
                              finding: ShrunkFinding?) throws -> ReportEntry {
        let scenario = FuzzGenerator(seed: seed.seed, size: summary.size, sabotage: summary.sabotage).scenario()
        let violations = seed.result.violations
        let broken = Array(Set(violations.map(\.invariant))).sorted().map(\.rawValue)
        let shrunk = try finding.map { (path: $0.path, yaml: try ScenarioWriter.yaml($0.scenario)) }
        return ReportEntry(id: "seed \(seed.seed)", title: "Fuzz seed \(seed.seed) (\(summary.size.rawValue))", file: nil, seed: seed.seed,
                           status: violations.isEmpty ? .passed : .failed,
                           verdict: violations.first.map { "\($0.invariant.rawValue) broken" + (violations.count > 1 ? " (+\(violations.count - 1) more)" : "") } ?? "no violation",
                           tags: [summary.size.rawValue] + broken, description: scenario.description,
                           trace: violations.isEmpty ? nil : seed.result.trace, repro: violations.isEmpty ? nil : summary.repro(seed.seed),
                           violations: violations, shrunk: shrunk,
                           secrets: [SecretScan(scenario)] + (finding.map { [SecretScan($0.scenario)] } ?? []))
    }
}

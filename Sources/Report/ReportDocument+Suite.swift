import Harness

extension ReportDocument {
    /// The report of a suite run: one entry per scenario, from the values the runner kept, and
    /// one per orphaned golden. `repro` gives the command that reproduces a failed result.
    public static func suite(scenarios: [Scenario], summary: SuiteRunner.Summary, context: String,
                             repro: (SuiteRunner.Result) -> String) -> ReportDocument {
        let byID = Dictionary(scenarios.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var entries = summary.results.map { result in entry(result, scenario: byID[result.scenarioID], repro: repro) }
        entries += summary.orphans.map { orphan in
            ReportEntry(id: orphan, title: "Orphaned golden \(orphan)", file: nil, seed: 0, status: .failed,
                        verdict: "orphaned golden: no scenario produces it; delete it or restore its scenario",
                        tags: ["orphan"], description: "", trace: nil, secrets: [])
        }
        var line = "\(summary.results.count) scenario(s): \(summary.failed) failed, \(summary.passed) passed"
        if summary.recorded > 0 { line += ", \(summary.recorded) recorded" }
        return ReportDocument(title: "CohortSim scenario report", summary: line, context: context, entries: entries)
    }

    private static func entry(_ result: SuiteRunner.Result, scenario: Scenario?, repro: (SuiteRunner.Result) -> String) -> ReportEntry {
        let status: ReportEntry.Status = result.passed ? .passed : result.recorded ? .recorded : .failed
        let verdict = result.passed ? "passed" : JUnitReport.failure(result).0
        return ReportEntry(id: result.scenarioID, title: scenario?.name ?? result.scenarioID, file: result.file, seed: result.seed,
                           status: status, verdict: verdict, tags: scenario?.tags ?? [], description: scenario?.description ?? "",
                           trace: result.trace, failure: result.error,
                           diff: result.comparison.map { SideBySideDiff(golden: $0.golden, actual: $0.actual) },
                           repro: result.passed ? nil : repro(result), secrets: scenario.map { [SecretScan($0)] } ?? [])
    }
}

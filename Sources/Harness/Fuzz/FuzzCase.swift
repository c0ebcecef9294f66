import Foundation
import SimCore

/// The result of one fuzz case: a scenario replayed against the real engine with every invariant
/// checked after every step.
public struct FuzzCaseResult: Sendable, Equatable {
    public var violations: [Violation]
    public var coverage: Set<CoveragePoint>
    /// The scenario's outcome document (the golden it would have), for determinism checks.
    public var document: String
    /// The replay as values, for the HTML report (`nil` when the case could not be carried out,
    /// or the campaign kept no trace of a seed without a violation).
    public var trace: ScenarioTrace?

    /// The first violation, which is the one shrinking keeps.
    public var first: Violation? { violations.first }
}

/// Runs one scenario under the invariant checker.
public struct FuzzCase: Sendable {
    public var transport: TransportMode
    /// Whether the trace samples each sync's audience after every step (for `--report`).
    public var samplesAudience: Bool

    public init(transport: TransportMode = .inProcess, samplesAudience: Bool = false) {
        self.transport = transport
        self.samplesAudience = samplesAudience
    }

    /// Replays `scenario`; a step the harness cannot carry out becomes a `harness-error` violation.
    public func run(_ scenario: Scenario) async -> FuzzCaseResult {
        let checker = InvariantChecker(scenario: scenario)
        do {
            let outcome = try await ScenarioRunner(transport: transport, samplesAudience: samplesAudience).run(scenario, observer: checker)
            return FuzzCaseResult(violations: await checker.violations, coverage: await checker.coverage, document: outcome.document,
                                  trace: outcome.trace)
        } catch {
            var violations = await checker.violations
            violations.append(Violation(invariant: .harnessError, step: nil, time: "", detail: "\(error)"))
            return FuzzCaseResult(violations: violations, coverage: await checker.coverage, document: "")
        }
    }
}

/// Runs a scenario several ways and reports the first place their outcomes diverge.
public enum DeterminismCheck {
    /// One divergence between two runs of the same scenario.
    public struct Divergence: Sendable, Equatable, CustomStringConvertible {
        public var scenarioID: String
        /// Which runs were compared, e.g. `in-process run 1 vs loopback`.
        public var comparison: String
        public var line: Int
        public var expected: String
        public var actual: String

        public var description: String {
            "\(scenarioID): \(comparison) diverge at outcome line \(line):\n  - \(expected)\n  + \(actual)"
        }
    }

    /// Runs `scenario` twice in-process and once over loopback HTTP; `nil` when all agree.
    public static func check(_ scenario: Scenario, includeLoopback: Bool = true) async throws -> Divergence? {
        let first = try await ScenarioRunner(transport: .inProcess).run(scenario).document
        let second = try await ScenarioRunner(transport: .inProcess).run(scenario).document
        if let divergence = firstDivergence(first, second, scenario.id, "in-process run 1 vs run 2") { return divergence }
        guard includeLoopback else { return nil }
        let loopback = try await ScenarioRunner(transport: .loopback).run(scenario).document
        return firstDivergence(first, loopback, scenario.id, "in-process vs loopback HTTP")
    }

    static func firstDivergence(_ a: String, _ b: String, _ id: String, _ comparison: String) -> Divergence? {
        guard a != b else { return nil }
        let left = a.split(separator: "\n", omittingEmptySubsequences: false)
        let right = b.split(separator: "\n", omittingEmptySubsequences: false)
        let index = (0..<min(left.count, right.count)).first { left[$0] != right[$0] } ?? min(left.count, right.count)
        return Divergence(scenarioID: id, comparison: comparison, line: index + 1,
                          expected: index < left.count ? String(left[index]) : "(end of outcome)",
                          actual: index < right.count ? String(right[index]) : "(end of outcome)")
    }
}

import Foundation
import Testing
@testable import Harness

@Suite struct DeterminismTests {
    @Test func theSuiteGivesByteIdenticalOutcomesTwice() async throws {
        let runner = SuiteRunner(scenarioRoot: "\(packageRoot)/scenarios", goldenRoot: try temporaryFolder(), mode: .never)
        let files = try runner.discover(["\(packageRoot)/scenarios"])
        #expect(!files.isEmpty)
        for scenario in runner.load(files).scenarios {
            let first = try await ScenarioRunner().run(scenario)
            let second = try await ScenarioRunner().run(scenario)
            #expect(first == second, "\(scenario.id) differs between runs")
        }
    }

    @Test func concurrentExportIsIdenticalEveryTime() async throws {
        // 1,100 members: three batch-subscribe and three tag calls run concurrently (≤ 9 in flight).
        let parsed = try scenario(largeCohortYAML(count: 1100, extraSteps: "  - set_profile: {distinct_id: u0001, set: {$email: moved@example.com}}\n  - wait: 2h"))
        let reference = try await ScenarioRunner().run(parsed).document
        for _ in 0..<4 {
            #expect(try await ScenarioRunner().run(parsed).document == reference)
        }
        #expect(reference.contains("moved@example.com subscribed tags=[Everyone]"))
        #expect(reference.contains("user1@example.com subscribed\n"))
    }

    @Test func parallelScenariosDoNotInterfere() async throws {
        let parsed = try scenario(largeCohortYAML(count: 600))
        let reference = try await ScenarioRunner().run(parsed).document
        let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<4 { group.addTask { try await ScenarioRunner().run(parsed).document } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.allSatisfy { $0 == reference })
    }
}

import Foundation
import Testing
@testable import Harness

@Suite(.timeLimit(.minutes(2))) struct DeterminismTests {
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
        let steps = """
          - set_profile: {distinct_id: u0001, set: {$email: moved@freddiesjokes.com}}
          - wait: 2h
          - expect:
              - member: {audience: Newsletter, email: moved@freddiesjokes.com, status: subscribed, tags: [Everyone]}
              - member: {audience: Newsletter, email: user1@freddiesjokes.com, status: subscribed, tags: []}
              - tag: {audience: Newsletter, name: Everyone, count: 1100}
        """
        let parsed = try scenario(largeCohortYAML(count: 1100, extraSteps: steps))
        let reference = try await ScenarioRunner().run(parsed)
        #expect(reference.expectationFailures == [])
        for _ in 0..<4 {
            #expect(try await ScenarioRunner().run(parsed) == reference)
        }
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

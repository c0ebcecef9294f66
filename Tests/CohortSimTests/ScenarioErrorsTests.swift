import Testing
@testable import Harness

/// A scenario file's errors are reported together, each with its line and why, in file order.
@Suite(.timeLimit(.minutes(2))) struct ScenarioErrorsTests {
    @Test func everyErrorOfAFileIsReportedAtOnceInFileOrder() throws {
        let text = """
        name: several
        seed: seven
        mixpanel:
          page_size: 0
          cohorts:
            - {id: 1, name: A, definition: {ids: [u1]}}
        mailchimp:
          audiences:
            - name: News
        steps:
          - connect: {}
          - export: {cohrt: A, audience: News}
          - wait: soon
          - export: {cohort: A, audience: News, mode: weekly}
          - wait: 2h
        """
        let error = try #require(throws: ScenarioError.self) { try ScenarioParser.parse(text, file: "s/several.yaml", id: "several") }
        let lines = error.all.map(\.line)
        #expect(lines == [2, 4, 12, 13, 14], "\(error)")
        let messages = error.all.map(\.message)
        #expect(messages[0].contains("seed must be an integer"))
        #expect(messages[1].contains("page_size must be from 1"))
        #expect(messages[2].contains("unknown key 'cohrt'"))
        #expect(messages[3].contains("must be a duration"))
        #expect(messages[4].contains("must be one of"))
        let described = error.description.split(separator: "\n")
        #expect(described.count == 5)
        #expect(described.allSatisfy { $0.hasPrefix("s/several.yaml:") })
        #expect(error.message == messages[0], "the first error stays the error's own message")
    }

    @Test func aFileWithOneErrorReportsJustThatOne() throws {
        let error = try #require(throws: ScenarioError.self) { try scenario("name: x\nsteps:\n  - wait: soon\n") }
        #expect(error.all.count == 1)
        #expect(!error.description.contains("\n"))
    }

    @Test func theSameErrorIsReportedOnce() throws {
        // The mixpanel block is read twice (world, then options): its unknown key is one error.
        let error = try #require(throws: ScenarioError.self) { try scenario("name: x\nmixpanel: {tokn: t}\nsteps: []\n") }
        #expect(error.all.count == 1, "\(error)")
    }

    @Test func theSuiteLoaderReportsEveryErrorOfAFile() throws {
        let folder = try temporaryFolder()
        let path = folder + "/bad.yaml"
        try "name: bad\nseed: seven\nsteps:\n  - wait: soon\n".write(toFile: path, atomically: true, encoding: .utf8)
        let (scenarios, errors) = SuiteRunner(scenarioRoot: folder, goldenRoot: folder, mode: .never).load([path])
        #expect(scenarios.isEmpty)
        #expect(errors.first?.all.map(\.line) == [2, 4], "\(errors)")
    }
}

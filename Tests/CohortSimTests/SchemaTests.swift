import Foundation
import Testing
import SimCore
@testable import Harness

/// The published JSON Schema must accept exactly what the parser accepts.
@Suite(.timeLimit(.minutes(2))) struct SchemaTests {
    let schema: JSONValue

    init() throws {
        schema = try JSONValue(parsing: try Data(contentsOf: URL(fileURLWithPath: "\(packageRoot)/docs/scenario.schema.json")))
    }

    private func keys(_ value: JSONValue?) -> Set<String> { Set(value?["properties"]?.objectValue?.keys ?? [:].keys) }

    @Test func topLevelKeysMatchTheParser() {
        #expect(keys(schema) == Set(ScenarioParser.topLevelKeys))
        #expect(schema["additionalProperties"] == .bool(false))
    }

    @Test func worldKeysMatchTheParser() {
        let properties = schema["properties"]
        #expect(keys(properties?["mixpanel"]) == Set(ScenarioParser.mixpanelKeys))
        #expect(keys(properties?["mailchimp"]) == Set(ScenarioParser.mailchimpKeys))
        #expect(keys(properties?["engine"]) == Set(ScenarioParser.engineKeys))
    }

    @Test func stepKindsMatchTheParser() {
        let variants = schema["$defs"]?["step"]?["oneOf"]?.arrayValue ?? []
        let kinds = variants.compactMap { $0["required"]?.arrayValue?.first?.stringValue }
        #expect(Set(kinds) == Set(Step.kinds))
        #expect(kinds.count == Step.kinds.count)
    }

    /// docs/scenarios.md documents every step kind and every top-level, world and engine key
    /// the parser accepts (each written as `name` somewhere in the guide).
    @Test func theScenarioGuideNamesEverythingTheParserAccepts() throws {
        let guide = try String(contentsOfFile: "\(packageRoot)/docs/scenarios.md", encoding: .utf8)
        let names = Step.kinds + ScenarioParser.topLevelKeys + ScenarioParser.mixpanelKeys
            + ScenarioParser.mailchimpKeys + ScenarioParser.engineKeys
        let missing = Set(names).filter { !guide.contains("`\($0)`") }.sorted()
        #expect(missing.isEmpty, "docs/scenarios.md does not mention: \(missing.joined(separator: ", "))")
    }

    /// Every suite carries a time limit, so a hang fails that test by name instead of the whole run.
    @Test func everyTestSuiteHasATimeLimit() throws {
        let root = packageRoot + "/Tests"
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".swift") }.sorted()
        var unbounded: [String] = []
        for file in files {
            let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("@" + "Suite") && !line.contains(".timeLimit(") {
                unbounded.append(file + ": " + line.trimmingCharacters(in: .whitespaces))
            }
        }
        #expect(unbounded.isEmpty, "suites without .timeLimit: \(unbounded)")
    }

    /// The guide's example outcome is the checked-in golden it names, byte for byte, and its
    /// error examples are what the parser says (after the file:line:column prefix).
    @Test func theGuidesExamplesAreWhatTheCodeProduces() throws {
        let guide = try String(contentsOfFile: "\(packageRoot)/docs/scenarios.md", encoding: .utf8)
        let golden = try String(contentsOfFile: "\(packageRoot)/golden/export/one-time-basic.golden", encoding: .utf8)
        #expect(guide.contains("```\n" + golden + "```"), "docs/scenarios.md's example outcome differs from golden/export/one-time-basic.golden")
        let cases = [
            "steps:\n  - connect: {}\n  - export: {cohrt: A, audience: B}\n",
            "steps:\n  - connect: {}\n  - export: {cohort: A}\n",
            "seed: seven\nsteps: []\n",
            "steps:\n  - connect: {}\n  - export: {cohort: A, audience: B, mode: weekly}\n",
            "steps:\n  - connect: {}\n    wait: 2h\n",
        ]
        for yaml in cases {
            do {
                _ = try ScenarioParser.parse("name: x\n" + yaml, file: "x.yaml", id: "x")
                Issue.record("no error for \(yaml)")
            } catch let error as ScenarioError {
                #expect(guide.contains(": " + error.message), "docs/scenarios.md lacks the parser's message: \(error.message)")
            }
        }
    }
}

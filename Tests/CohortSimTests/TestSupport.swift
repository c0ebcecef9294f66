import Foundation
@testable import Harness

/// A scenario built from YAML text in a test.
func scenario(_ yaml: String, id: String = "test/inline") throws -> Scenario {
    try ScenarioParser.parse(yaml, file: "\(id).yaml", id: id)
}

/// Runs YAML text as a scenario and returns its outcome document.
func outcome(_ yaml: String) async throws -> String {
    try await ScenarioRunner().run(try scenario(yaml)).document
}

/// A fresh temporary folder.
func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "cohortsim-tests-" + UUID().uuidString  // wall-clock ok: test-only temp name
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The package root (for the checked-in scenarios and goldens).
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// Profiles `u0000…` with emails, and a cohort listing them: `count` members.
func largeCohortYAML(count: Int, extraSteps: String = "") -> String {
    let profiles = (0..<count).map { i in
        "    - {distinct_id: u\(String(format: "%04d", i)), properties: {$email: user\(i)@freddiesjokes.com}}"
    }.joined(separator: "\n")
    let ids = (0..<count).map { "u" + String(format: "%04d", $0) }.joined(separator: ", ")
    return """
    name: Large cohort
    seed: 5
    start: 2026-03-02T09:00:00Z
    mixpanel:
      profiles:
    \(profiles)
      cohorts:
        - {id: 900, name: Everyone, definition: {ids: [\(ids)]}}
    mailchimp:
      audiences:
        - name: Newsletter
    steps:
      - connect: {}
      - export: {cohort: Everyone, audience: Newsletter, mode: dynamic}
    \(extraSteps)
    """
}

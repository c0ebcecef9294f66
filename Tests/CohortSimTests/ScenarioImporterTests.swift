import Foundation
import Testing
@testable import Harness

@Suite(.timeLimit(.minutes(2))) struct ScenarioImporterTests {
    let engage = Data("""
    {"page": 0, "page_size": 1000, "session_id": "1-X", "status": "ok", "total": 3, "results": [
      {"$distinct_id": "u1", "$properties": {"$email": "Ann@Corp.com", "$first_name": "Ann", "$last_seen": "2026-01-01T00:00:00"}},
      {"$distinct_id": "u2", "$properties": {"$email": "bob@corp.com", "plan": "pro"}},
      {"$distinct_id": "u3", "$properties": {"plan": "free"}}]}
    """.utf8)
    let subscribed = "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,TAGS\n"
        + "ann@corp.com,Ann,,2,2025-01-01 10:00:00,\"\"\"VIP\"\",\"\"Webinar 2025\"\"\"\n"
    let unsubscribed = """
    Email Address,First Name,UNSUB_TIME,TAGS
    bob@corp.com,Bob,2025-06-01 10:00:00,
    """

    func makeYAML(keepEmails: Bool) throws -> String {
        try ScenarioImporter(keepEmails: keepEmails).makeScenario(
            name: "Ticket 4711", profilesJSON: engage, profilesFile: "engage.json", audienceName: "Customers",
            audienceFiles: [(.init(path: "subscribed_members_export.csv"), subscribed),
                            (.init(path: "export.csv", status: "unsubscribed"), unsubscribed)],
            cohortDefinition: nil, history: "run 1: sync 1, scheduled, failed")
    }

    @Test func importedScenarioParsesAndRuns() async throws {
        let yaml = try makeYAML(keepEmails: false)
        let parsed = try ScenarioParser.parse(yaml, file: "imported.yaml", id: "imported")
        #expect(parsed.mixpanel.profiles.count == 3)
        #expect(parsed.mailchimp.audiences[0].members.map(\.status) == ["subscribed", "unsubscribed"])
        #expect(parsed.mailchimp.audiences[0].members[0].tags == ["VIP", "Webinar 2025"])
        #expect(yaml.contains("#   run 1: sync 1, scheduled, failed"))
        let outcome = try await ScenarioRunner().run(parsed)
        #expect(outcome.document.contains("run 1: sync 1, initial"))
    }

    @Test func emailsArePseudonymisedConsistentlyAcrossInputs() throws {
        let yaml = try makeYAML(keepEmails: false)
        #expect(!yaml.contains("corp.com"))
        let importer = ScenarioImporter()
        #expect(importer.pseudonym("ann@corp.com").lowercased() == importer.pseudonym("Ann@Corp.com").lowercased())
        #expect(importer.pseudonym("Ann@Corp.com").hasPrefix("User-"))
        #expect(yaml.contains(importer.pseudonym("bob@corp.com")))
        let parsed = try ScenarioParser.parse(yaml, file: "i.yaml", id: "i")
        let profileEmail = parsed.mixpanel.profiles.first { $0.distinctID == "u1" }?.properties["$email"]?.stringValue
        #expect(profileEmail?.lowercased() == parsed.mailchimp.audiences[0].members[0].email.lowercased())
    }

    @Test func keepEmailsKeepsThem() throws {
        #expect(try makeYAML(keepEmails: true).contains("Ann@Corp.com"))
    }

    @Test func csvWithoutEmailColumnIsAClearError() throws {
        let error = try #require(throws: ScenarioImporter.ImportError.self) {
            try ScenarioImporter().makeScenario(name: "x", profilesJSON: engage, profilesFile: "e.json", audienceName: "A",
                                                audienceFiles: [(.init(path: "bad.csv", status: "subscribed"), "Name,Phone\nx,1\n")],
                                                cohortDefinition: nil, history: nil)
        }
        #expect(error.description.hasPrefix("bad.csv: no \"Email Address\" column"))
    }
}

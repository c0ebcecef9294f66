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

    /// A realistic export: addresses as distinct ids, names, phones, free text, a company, a plan
    /// the cohort compares, and a run history quoting an address. None of the personal values may
    /// survive, and the cohort must still select the same profiles.
    @Test func noOriginalPersonalValueSurvivesAndTheCohortStillMatches() async throws {
        let export = Data("""
        {"results": [
          {"$distinct_id": "carol.smith@acme-corp.com", "$properties": {"$email": "Carol.Smith@acme-corp.com",
            "$first_name": "Carol", "$last_name": "Smith", "$phone": "+1 (415) 555-0198", "$name": "Carol Smith",
            "notes": "called Tuesday about a refund", "company": "Acme Corp", "plan": "pro", "seats": 12}},
          {"$distinct_id": "+14155550123", "$properties": {"$email": " dave@acme-corp.com ", "$first_name": "Dave",
            "plan": "pro", "backup_email": "dave.private@gmail.com", "$user_id": "+14155550123"}},
          {"$distinct_id": "8c2d-opaque", "$properties": {"$email": "erin@acme-corp.com", "plan": "free", "vip": true}}]}
        """.utf8)
        let csv = "Email Address,First Name,Last Name,Phone\ncarol.smith@acme-corp.com,Carol,Smith,415-555-0198\n"
        let definition = "property: {name: plan, operator: equals, value: pro}\n"
        let history = "run 1: sync 1, scheduled, succeeded\n  reject carol.smith@acme-corp.com (Invalid Resource: carol.smith@acme-corp.com looks fake)"
        func make(_ importer: ScenarioImporter) throws -> String {
            try importer.makeScenario(name: "Ticket 99", profilesJSON: export, profilesFile: "engage.json", audienceName: "Customers",
                                      audienceFiles: [(.init(path: "subscribed.csv", status: "subscribed"), csv)],
                                      cohortDefinition: definition, history: history)
        }
        let yaml = try make(ScenarioImporter())
        for original in ["carol", "Carol", "Smith", "acme-corp", "555", "4155550123", "refund", "Acme", "Dave", "dave", "gmail", "erin", "\"pro\""] {
            #expect(!yaml.contains(original), "the imported scenario still contains \(original)")
        }
        #expect(yaml.contains("8c2d-opaque"), "an opaque Mixpanel id is kept")
        #expect(yaml.contains("12") && yaml.contains("true"), "numbers and flags are kept")

        // The same replacement everywhere: the cohort still selects Carol and Dave, not Erin.
        let parsed = try ScenarioParser.parse(yaml, file: "i.yaml", id: "i")
        let outcome = try await ScenarioRunner().run(parsed)
        #expect(outcome.document.contains("cohort 1 \"Imported Cohort\": 2 members"), "\(outcome.document.prefix(1500))")
        let dave = try #require(parsed.mixpanel.profiles.first { $0.properties["$first_name"] != nil && $0.properties["$phone"] == nil && $0.properties["backup_email"] != nil })
        #expect(dave.properties["$user_id"]?.stringValue == dave.distinctID, "$user_id is replaced as the distinct id it is")
        #expect(dave.properties["$email"]?.stringValue?.hasPrefix(" ") == true, "padding survives, so eligibility sees the same shape")

        // --keep keeps the named properties verbatim, and only those.
        let kept = try make(ScenarioImporter(keep: ["plan"]))
        #expect(kept.contains("\"pro\"") && !kept.contains("Carol"))
    }
}

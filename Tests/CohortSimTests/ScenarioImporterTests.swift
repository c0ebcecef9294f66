import FakeMailchimp
import Foundation
import SimCore
import SimHTTP
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

    /// Events from a raw export come in pseudonymised like the profiles (the same ids), with the
    /// ID merge mode given, and a behavioural cohort over them still selects the same user.
    @Test func rawExportEventsAndTheIDMergeModeAreImported() async throws {
        let profiles = Data(#"[{"$distinct_id": "carol@acme-corp.com", "$properties": {"$email": "carol@acme-corp.com"}}, {"$distinct_id": "u2", "$properties": {"$email": "dan@acme-corp.com"}}]"#.utf8)
        let events = """
        {"event": "Purchase", "properties": {"distinct_id": "carol@acme-corp.com", "time": 1772442000, "$insert_id": "x1", "item": "Red shoes for Carol"}}
        {"event": "Purchase", "properties": {"distinct_id": "carol@acme-corp.com", "time": 1772445600000}}

        """
        let yaml = try ScenarioImporter(idMerge: "original").makeScenario(
            name: "Ticket 5", profilesJSON: profiles, profilesFile: "engage.json", audienceName: "A", audienceFiles: [],
            cohortDefinition: "did: {event: Purchase, at_least: 2, within_days: 3650}\n", history: nil,
            events: (file: "export.ndjson", contents: events))
        #expect(!yaml.contains("carol") && !yaml.contains("Carol") && !yaml.contains("x1"))
        let parsed = try ScenarioParser.parse(yaml, file: "i.yaml", id: "i")
        #expect(parsed.mixpanel.idMerge == .original)
        #expect(parsed.mixpanel.events.count == 2)
        #expect(Set(parsed.mixpanel.events.compactMap { $0.properties["distinct_id"]?.stringValue }) == [parsed.mixpanel.profiles[0].distinctID])
        #expect(parsed.mixpanel.events.map(\.time.iso8601) == ["2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"])
        var run = parsed
        run.start = SimTime(iso8601: "2026-03-03T00:00:00Z")!
        let outcome = try await ScenarioRunner().run(run)
        #expect(outcome.document.contains("cohort 1 \"Imported Cohort\": 1 member"), "\(outcome.document.prefix(800))")
        #expect(throws: ScenarioImporter.ImportError.self) {
            try ScenarioImporter().makeScenario(name: "x", profilesJSON: profiles, profilesFile: "e.json", audienceName: "A", audienceFiles: [],
                                                cohortDefinition: nil, history: nil, events: (file: "bad.ndjson", contents: "not json\n"))
        }
    }
}

/// Mailchimp's unsubscribed export: statuses with their reasons come in, who unsubscribed is
/// kept, and no personal value (free text under "Other" included) survives.
@Suite(.timeLimit(.minutes(2))) struct UnsubscribeReasonImportTests {
    static let csv = """
    Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,UNSUB_REASON,UNSUB_REASON_OTHER,TAGS
    grace.hopper@navy-labs.com,Grace,Hopper,2,2025-01-02 10:00:00,2025-06-01 09:00:00,June news,a1b2c3,The emails are inappropriate,,"VIP"
    alan@navy-labs.com,Alan,Turing,3,2025-01-02 10:00:00,2025-06-02 09:00:00,,,N/A (Unsubscribed by admin),,
    ada@navy-labs.com,Ada,Lovelace,1,2025-01-02 10:00:00,2025-06-03 09:00:00,June news,a1b2c3,Other,"Ask Frank Byers (frank.byers@gmail.com) to stop this",
    """

    func imported() throws -> (yaml: String, members: [MailchimpWorld.Member]) {
        let yaml = try ScenarioImporter().makeScenario(
            name: "Ticket 7", profilesJSON: Data("[]".utf8), profilesFile: "engage.json", audienceName: "Customers",
            audienceFiles: [(.init(path: "unsubscribed_members_export.csv"), Self.csv)], cohortDefinition: nil, history: nil)
        let parsed = try ScenarioParser.parse(yaml, file: "i.yaml", id: "i")
        return (yaml, parsed.mailchimp.audiences.first?.members ?? [])
    }

    @Test func statusesReasonsAndWhoUnsubscribedAreImported() throws {
        let (yaml, members) = try imported()
        #expect(members.count == 3, "\(yaml)")
        #expect(members.allSatisfy { $0.status == "unsubscribed" })
        #expect(members.map(\.unsubscribedBy) == [.contact, .admin, .contact])
        #expect(members[0].unsubscribeReason == "The emails are inappropriate", "Mailchimp's own category is kept")
        #expect(members[1].unsubscribeReason == "N/A (Unsubscribed by admin)")
        #expect(members[2].unsubscribeReason?.hasPrefix("Other: text-") == true, "\(members[2])")
        #expect(members[0].tags == ["VIP"])
    }

    @Test func noPersonalValueOfTheExportSurvives() throws {
        let (yaml, _) = try imported()
        for original in ["grace", "Grace", "Hopper", "navy-labs", "alan", "Turing", "Ada", "Lovelace", "Frank", "Byers", "gmail", "stop this"] {
            #expect(!yaml.contains(original), "the imported scenario still contains \(original)")
        }
    }

    @Test func theFakeReportsTheImportedReason() async throws {
        let (yaml, _) = try imported()
        let parsed = try ScenarioParser.parse(yaml, file: "i.yaml", id: "i")
        let fake = try FakeMailchimp(world: parsed.mailchimp, seed: 1, clock: VirtualClock(start: SimTime(iso8601: "2026-03-02T09:00:00Z")!))
        let audience = try #require(try fake.dump().first)
        let listing = await fake.handle(HTTPRequest(method: "GET", url: "https://us6.api.mailchimp.com/3.0/lists/\(audience.id)/members?status=unsubscribed",
                                                    headers: ["Authorization": "Bearer \(parsed.mailchimp.apiKey)"]))
        let reasons = (listing.json?["members"]?.arrayValue ?? []).compactMap { $0["unsubscribe_reason"]?.stringValue }.sorted()
        #expect(reasons.count == 3, "\(listing.bodyText.prefix(500))")
        #expect(reasons.contains("The emails are inappropriate") && reasons.contains("N/A (Unsubscribed by admin)"))
    }

    @Test func aReasonWithoutUnsubscribedStatusIsAnError() throws {
        #expect(throws: ScenarioError.self) {
            _ = try scenario("name: x\nmailchimp: {audiences: [{name: A, members: [{email: a@freddiesjokes.com, unsubscribe_reason: Other}]}]}\nsteps: []\n")
        }
    }
}

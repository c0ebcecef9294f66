import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMailchimp

@Suite(.timeLimit(.minutes(2))) struct ListAndMergeFieldTests {
    static let list = MailchimpFixture.list
    static let validList: JSONValue = [
        "name": "Launch", "permission_reminder": "You signed up.", "email_type_option": false,
        "contact": ["company": "Acme", "address1": "1 Main St", "city": "Atlanta", "state": "GA", "zip": "30308", "country": "US"],
        "campaign_defaults": ["from_name": "Acme", "from_email": "news@acme.example", "subject": "", "language": "en"],
    ]

    @Test func createListNeedsTheRequiredFields() async throws {
        let fixture = try MailchimpFixture()
        let response = await fixture.send("POST", "/3.0/lists", ["name": "Launch", "contact": ["company": "Acme"]])
        #expect(ProblemFields(response) == ProblemFields(
            status: 400, title: "Invalid Resource",
            detail: "The resource submitted could not be validated. For field-specific details, see the 'errors' array."))
        let fields = response.json?["errors"]?.arrayValue?.compactMap { $0["field"]?.stringValue }
        #expect(fields == ["contact.address1", "contact.city", "contact.country", "permission_reminder", "email_type_option",
                           "campaign_defaults"])
        #expect(response.json?["errors"]?.arrayValue?.first?["message"] == "Required property address1 was not present.")
    }

    @Test func createdListIsListedPatchedAndDeleted() async throws {
        let fixture = try MailchimpFixture()
        let created = await fixture.send("POST", "/3.0/lists", Self.validList)
        #expect(created.status == 200)
        let id = try #require(created.json?["id"]?.stringValue)
        #expect(id.count == 10)
        #expect(created.json?["contact"]?["company"] == "Acme")
        #expect(created.json?["stats"]?["merge_field_count"] == 4)
        let patched = await fixture.send("PATCH", "/3.0/lists/\(id)", ["name": "Launch 2", "campaign_defaults": ["subject": "Hi"]])
        #expect(patched.json?["name"] == "Launch 2")
        #expect(patched.json?["campaign_defaults"]?["subject"] == "Hi")
        #expect(patched.json?["campaign_defaults"]?["from_name"] == "Acme")
        #expect(await fixture.send("GET", "/3.0/lists").json?["total_items"] == 2)
        #expect(await fixture.send("DELETE", "/3.0/lists/\(id)").status == 204)
        #expect(await fixture.send("GET", "/3.0/lists/\(id)").status == 404)
        #expect(try fixture.fake.audienceID(named: "Launch 2") == nil)
    }

    @Test func deleteAudienceRemovesItsMembers() async throws {
        let fixture = try MailchimpFixture(members: [.init(email: "a@freddiesjokes.com")])
        try fixture.fake.deleteAudience(id: Self.list)
        #expect(try fixture.fake.dump().isEmpty)
        let response = await fixture.send("GET", "/3.0/lists/\(Self.list)/members")
        #expect(ProblemFields(response) == ProblemFields(status: 404, title: "Resource Not Found",
                                                         detail: "The requested resource could not be found."))
        #expect(throws: MailchimpProblem.notFound) { try fixture.fake.deleteAudience(id: Self.list) }
    }

    @Test func mergeFieldsAreListedAndCreated() async throws {
        let fixture = try MailchimpFixture()
        let listed = await fixture.send("GET", "/3.0/lists/\(Self.list)/merge-fields")
        #expect(listed.json?["merge_fields"]?.arrayValue?.compactMap { $0["tag"]?.stringValue } == ["FNAME", "LNAME", "ADDRESS", "PHONE"])
        #expect(listed.json?["merge_fields"]?.arrayValue?.compactMap { $0["type"]?.stringValue } == ["text", "text", "address", "phone"])
        let created = await fixture.send("POST", "/3.0/lists/\(Self.list)/merge-fields", ["name": "Lifetime value", "tag": "LTV", "type": "number"])
        #expect(created.json?["merge_id"] == 5)
        #expect(created.json?["tag"] == "LTV")
        let untagged = await fixture.send("POST", "/3.0/lists/\(Self.list)/merge-fields", ["name": "Plan", "type": "text"])
        #expect(untagged.json?["tag"] == "MMERGE6")
        let bad = await fixture.send("POST", "/3.0/lists/\(Self.list)/merge-fields", ["name": "X", "type": "colour"])
        #expect(bad.status == 400)
        #expect(bad.json?["errors"]?.arrayValue?.first?["field"] == "type")
    }

    func mergeErrors(_ response: HTTPResponse) -> [String] {
        (response.json?["errors"]?.arrayValue ?? []).map { "\($0["field"]?.stringValue ?? ""): \($0["message"]?.stringValue ?? "")" }
    }

    /// Reference §7.6 and §3.3: merge-field type and required errors on member writes.
    @Test func memberWritesAreCheckedAgainstMergeFieldTypes() async throws {
        let fixture = try MailchimpFixture(mergeFields: ["FNAME", "LTV:number", "COMPANY:text:required", "ADDRESS"])
        let path = "/3.0/lists/\(Self.list)/members"
        let bad = await fixture.send("POST", path, ["email_address": "a@freddiesjokes.com", "status": "subscribed",
                                                    "merge_fields": ["LTV": "lots", "NOPE": "x", "ADDRESS": "somewhere"]])
        #expect(ProblemFields(bad) == ProblemFields(status: 400, title: "Invalid Resource", detail: "Your merge fields were invalid."))
        #expect(mergeErrors(bad) == ["ADDRESS: Please enter a complete address", "COMPANY: Please enter a value",
                                     "LTV: Please enter a number", "NOPE: This field does not exist"])
        let ok = await fixture.send("POST", path, ["email_address": "a@freddiesjokes.com", "status": "subscribed",
                                                   "merge_fields": ["LTV": "12.5", "COMPANY": "Acme"]])
        #expect(ok.status == 200)
        #expect(ok.json?["merge_fields"]?["LTV"] == .double(12.5))
        let cleared = await fixture.send("PATCH", path + "/\(subscriberHash("a@freddiesjokes.com"))", ["merge_fields": ["COMPANY": ""]])
        #expect(mergeErrors(cleared) == ["COMPANY: Please enter a value"])
        let patched = await fixture.send("PATCH", path + "/\(subscriberHash("a@freddiesjokes.com"))", ["merge_fields": ["LTV": 3]])
        #expect(patched.json?["merge_fields"]?["LTV"] == 3)
    }

    @Test func skipMergeValidationSkipsRequiredAndUnknownButNotTypes() async throws {
        let fixture = try MailchimpFixture(mergeFields: ["LTV:number", "COMPANY:text:required"])
        let path = "/3.0/lists/\(Self.list)/members?skip_merge_validation=true"
        let ok = await fixture.send("POST", path, ["email_address": "a@freddiesjokes.com", "status": "subscribed", "merge_fields": ["NOPE": "x"]])
        #expect(ok.status == 200)
        let typed = await fixture.send("POST", path, ["email_address": "b@freddiesjokes.com", "status": "subscribed", "merge_fields": ["LTV": "x"]])
        #expect(mergeErrors(typed) == ["LTV: Please enter a number"])
    }

    @Test func batchSubscribeReportsMergeFieldErrorsPerMember() async throws {
        let fixture = try MailchimpFixture(mergeFields: ["COMPANY:text:required"])
        let response = await fixture.send("POST", "/3.0/lists/\(Self.list)", ["members": [
            ["email_address": "a@freddiesjokes.com", "status_if_new": "subscribed"],
            ["email_address": "b@freddiesjokes.com", "status_if_new": "subscribed", "merge_fields": ["COMPANY": "Acme"]],
        ]])
        #expect(response.json?["total_created"] == 1)
        let error = response.json?["errors"]?.arrayValue?.first
        #expect(error?["error"] == "Your merge fields were invalid.")
        #expect(error?["field"] == "COMPANY")
        #expect(error?["field_message"] == "Please enter a value")
    }
}

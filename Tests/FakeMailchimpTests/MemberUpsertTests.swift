import Testing
import SimCore
import SimHTTP
@testable import FakeMailchimp

/// `PUT /lists/{id}/members/{hash}` as Mailchimp's upsert (issue 14; `docs/fidelity.md`, "PUT upsert").
@Suite(.timeLimit(.minutes(2))) struct MemberUpsertTests {
    static let list = MailchimpFixture.list
    static func path(_ email: String) -> String { "/3.0/lists/\(list)/members/\(subscriberHash(email))" }

    static func fixture() throws -> MailchimpFixture {
        try MailchimpFixture(members: [
            .init(email: "ann@freddiesjokes.com", tags: ["VIP"], mergeFields: ["FNAME": "Ann", "LNAME": "Lee"]),
            .init(email: "self@freddiesjokes.com", status: "unsubscribed", unsubscribedBy: .contact),
            .init(email: "admin@freddiesjokes.com", status: "unsubscribed", unsubscribedBy: .admin),
            .init(email: "arch@freddiesjokes.com", status: "archived"),
            .init(email: "taken@freddiesjokes.com"),
        ])
    }

    @Test func aNewAddressIsCreatedWithStatusIfNew() async throws {
        let fixture = try Self.fixture()
        let response = await fixture.send("PUT", Self.path("new@freddiesjokes.com"),
                                          ["email_address": "new@freddiesjokes.com", "status_if_new": "pending", "merge_fields": ["FNAME": "Neu"]])
        #expect(response.status == 200)
        #expect(response.json?["status"] == "pending")
        #expect(response.json?["merge_fields"]?["FNAME"] == "Neu")
        #expect(response.json?["status_if_new"] == nil)
    }

    @Test func anExistingMemberNeedsNeitherAddressNorStatus() async throws {
        let fixture = try Self.fixture()
        let response = await fixture.send("PUT", Self.path("ann@freddiesjokes.com"), ["merge_fields": ["LNAME": "Ray"]])
        #expect(response.status == 200)
        #expect(response.json?["status"] == "subscribed")
        #expect(response.json?["merge_fields"]?["FNAME"] == "Ann")
        #expect(response.json?["merge_fields"]?["LNAME"] == "Ray")
        #expect(response.json?["tags"]?.arrayValue?.first?["name"] == "VIP")
    }

    @Test func anEmptyStringClearsOneMergeField() async throws {
        let fixture = try Self.fixture()
        let response = await fixture.send("PUT", Self.path("ann@freddiesjokes.com"), ["merge_fields": ["FNAME": ""]])
        #expect(response.json?["merge_fields"]?["FNAME"] == "")
        #expect(response.json?["merge_fields"]?["LNAME"] == "Lee")
    }

    @Test func statusIfNewIsIgnoredForAnExistingMember() async throws {
        let fixture = try Self.fixture()
        let response = await fixture.send("PUT", Self.path("self@freddiesjokes.com"),
                                          ["email_address": "self@freddiesjokes.com", "status_if_new": "subscribed"])
        #expect(response.status == 200)
        #expect(response.json?["status"] == "unsubscribed")
        let archived = await fixture.send("PUT", Self.path("arch@freddiesjokes.com"), ["status_if_new": "subscribed"])
        #expect(archived.json?["status"] == "archived")
    }

    @Test func statusFollowsTheComplianceRulesOfPatch() async throws {
        let fixture = try Self.fixture()
        let refused = await fixture.send("PUT", Self.path("self@freddiesjokes.com"), ["status": "subscribed"])
        #expect(ProblemFields(refused) == ProblemFields(status: 400, title: "Member In Compliance State",
            detail: "self@freddiesjokes.com is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed."))
        let back = await fixture.send("PUT", Self.path("admin@freddiesjokes.com"), ["status": "subscribed"])
        #expect(back.json?["status"] == "subscribed")
        #expect(back.json?["unsubscribe_reason"] == nil || back.json?["unsubscribe_reason"] == "")
        let unsubscribed = await fixture.send("PUT", Self.path("ann@freddiesjokes.com"), ["status": "unsubscribed"])
        #expect(unsubscribed.json?["status"] == "unsubscribed")
        let again = await fixture.send("PUT", Self.path("ann@freddiesjokes.com"), ["status": "subscribed"])
        #expect(again.json?["status"] == "subscribed")
    }

    @Test func aRefusedStatusChangeLeavesTheMemberUnchanged() async throws {
        let fixture = try Self.fixture()
        _ = await fixture.send("PUT", Self.path("self@freddiesjokes.com"), ["status": "subscribed", "merge_fields": ["FNAME": "Changed"]])
        let read = await fixture.send("GET", Self.path("self@freddiesjokes.com"))
        #expect(read.json?["merge_fields"]?["FNAME"] == "")
        #expect(read.json?["status"] == "unsubscribed")
    }

    @Test func aDifferentBodyAddressMovesTheMember() async throws {
        let fixture = try Self.fixture()
        let response = await fixture.send("PUT", Self.path("ann@freddiesjokes.com"), ["email_address": "ann.lee@freddiesjokes.com"])
        #expect(response.status == 200)
        #expect(response.json?["id"] == .string(subscriberHash("ann.lee@freddiesjokes.com")))
        #expect(response.json?["merge_fields"]?["FNAME"] == "Ann")
        #expect(await fixture.send("GET", Self.path("ann@freddiesjokes.com")).status == 404)
        let moved = await fixture.send("GET", Self.path("ann.lee@freddiesjokes.com"))
        #expect(moved.status == 200)
        #expect(moved.json?["tags"]?.arrayValue?.first?["name"] == "VIP")
    }

    @Test func anUnknownHashWithABodyAddressCreatesTheBodyAddress() async throws {
        let fixture = try Self.fixture()
        let response = await fixture.send("PUT", Self.path("nobody@freddiesjokes.com"),
                                          ["email_address": "body@freddiesjokes.com", "status_if_new": "subscribed"])
        #expect(response.status == 200)
        #expect(response.json?["id"] == .string(subscriberHash("body@freddiesjokes.com")))
        #expect(await fixture.send("GET", Self.path("nobody@freddiesjokes.com")).status == 404)
        #expect(await fixture.send("GET", Self.path("body@freddiesjokes.com")).status == 200)
    }

    /// Recorded: mailchimp/APIv3-examples issue #49 (PUT to a hash whose body address is on the list).
    @Test(arguments: ["ann@freddiesjokes.com", "nobody@freddiesjokes.com"])
    func aBodyAddressAnotherMemberHasIsMemberExists(_ pathAddress: String) async throws {
        let fixture = try Self.fixture()
        let response = await fixture.send("PUT", Self.path(pathAddress), ["email_address": "taken@freddiesjokes.com", "status_if_new": "subscribed"])
        #expect(ProblemFields(response) == ProblemFields(status: 400, title: "Member Exists",
            detail: "taken@freddiesjokes.com is already a list member. Use PUT to insert or update list members."))
        #expect(await fixture.send("GET", Self.path("ann@freddiesjokes.com")).status == 200)
    }

    @Test func aNewMemberNeedsAnAddressAndAStatus() async throws {
        let fixture = try Self.fixture()
        let noAddress = await fixture.send("PUT", Self.path("new@freddiesjokes.com"), ["status_if_new": "subscribed"])
        #expect(noAddress.status == 400)
        #expect(noAddress.json?["errors"]?.arrayValue?.first?["field"] == "email_address")
        let noStatus = await fixture.send("PUT", Self.path("new@freddiesjokes.com"), ["email_address": "new@freddiesjokes.com"])
        #expect(noStatus.status == 400)
        #expect(noStatus.json?["errors"]?.arrayValue?.first?["field"] == "status_if_new")
    }

    @Test func aRefusedBodyAddressIsRefusedOnCreateAndOnMove() async throws {
        let fixture = try Self.fixture()
        let created = await fixture.send("PUT", Self.path("foo@example.com"), ["email_address": "foo@example.com", "status_if_new": "subscribed"])
        #expect(created.json?["detail"] == "foo@example.com looks fake or invalid, please enter a real email address.")
        let moved = await fixture.send("PUT", Self.path("ann@freddiesjokes.com"), ["email_address": "AAAAA"])
        #expect(moved.json?["detail"] == "Please provide a valid email address.")
        #expect(await fixture.send("GET", Self.path("ann@freddiesjokes.com")).status == 200)
    }
}

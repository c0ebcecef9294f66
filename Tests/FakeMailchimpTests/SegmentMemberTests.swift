import GRDB
import Testing
import SimCore
import SimHTTP
@testable import FakeMailchimp

/// Single-member static-segment writes, `PATCH` of a segment and `Allow` on every 405 (issue 14;
/// `docs/fidelity.md`, "Tags and static segments").
@Suite(.timeLimit(.minutes(2))) struct SegmentMemberTests {
    static let list = MailchimpFixture.list

    static func fixture() throws -> MailchimpFixture {
        try MailchimpFixture(members: [
            .init(email: "ann@freddiesjokes.com", tags: ["VIP"]),
            .init(email: "bob@freddiesjokes.com"),
            .init(email: "cat@freddiesjokes.com", status: "unsubscribed", unsubscribedBy: .contact),
        ])
    }

    /// The id of the `VIP` tag the fixture's world creates.
    static func vip(_ fixture: MailchimpFixture) async throws -> Int64 {
        let response = await fixture.send("GET", "/3.0/lists/\(list)/tag-search?name=VIP")
        return try #require(response.json?["tags"]?.arrayValue?.first?["id"]?.intValue)
    }

    static func members(_ fixture: MailchimpFixture, _ segment: Int64) async -> [String] {
        let response = await fixture.send("GET", "/3.0/lists/\(list)/segments/\(segment)/members?include_unsubscribed=true")
        return response.json?["members"]?.arrayValue?.compactMap { $0["email_address"]?.stringValue } ?? []
    }

    @Test func addingOneMemberAnswersWithTheMemberAndTagsIt() async throws {
        let fixture = try Self.fixture()
        let vip = try await Self.vip(fixture)
        let response = await fixture.send("POST", "/3.0/lists/\(Self.list)/segments/\(vip)/members",
                                          ["email_address": "Bob@freddiesjokes.com", "status": "subscribed"])
        #expect(response.status == 200)
        #expect(response.json?["id"] == .string(subscriberHash("bob@freddiesjokes.com")))
        #expect(response.json?["status"] == "subscribed")
        #expect(response.json?["tags"]?.arrayValue?.first?["name"] == "VIP")
        #expect(Set(await Self.members(fixture, vip)) == ["ann@freddiesjokes.com", "bob@freddiesjokes.com"])
    }

    @Test func addingAnUnsubscribedContactIsAllowedAndLeavesItsStatus() async throws {
        let fixture = try Self.fixture()
        let vip = try await Self.vip(fixture)
        let response = await fixture.send("POST", "/3.0/lists/\(Self.list)/segments/\(vip)/members", ["email_address": "cat@freddiesjokes.com"])
        #expect(response.status == 200)
        #expect(response.json?["status"] == "unsubscribed")
    }

    @Test func addingAnAddressNotOnTheAudienceOrWithoutAnAddressIsRefused() async throws {
        let fixture = try Self.fixture()
        let vip = try await Self.vip(fixture)
        let unknown = await fixture.send("POST", "/3.0/lists/\(Self.list)/segments/\(vip)/members", ["email_address": "zed@freddiesjokes.com"])
        #expect(ProblemFields(unknown) == ProblemFields(status: 404, title: "Resource Not Found", detail: "The requested resource could not be found."))
        let missing = await fixture.send("POST", "/3.0/lists/\(Self.list)/segments/\(vip)/members", [:])
        #expect(missing.status == 400)
        #expect(missing.json?["errors"]?.arrayValue?.first?["field"] == "email_address")
        let noSegment = await fixture.send("POST", "/3.0/lists/\(Self.list)/segments/1/members", ["email_address": "bob@freddiesjokes.com"])
        #expect(noSegment.status == 404)
    }

    @Test func removingOneMemberIs204ThenTheContactIsNotInTheSegment() async throws {
        let fixture = try Self.fixture()
        let vip = try await Self.vip(fixture)
        let path = "/3.0/lists/\(Self.list)/segments/\(vip)/members/\(subscriberHash("ann@freddiesjokes.com"))"
        let removed = await fixture.send("DELETE", path)
        #expect(removed.status == 204)
        #expect(removed.body.isEmpty)
        #expect(await Self.members(fixture, vip).isEmpty)
        let again = await fixture.send("DELETE", path)
        #expect(again.status == 404)
    }

    @Test func removingTakesTheSubscriberHashOnly() async throws {
        let fixture = try Self.fixture()
        let vip = try await Self.vip(fixture)
        let byAddress = await fixture.send("DELETE", "/3.0/lists/\(Self.list)/segments/\(vip)/members/ann@freddiesjokes.com")
        #expect(byAddress.status == 404)
        #expect(await Self.members(fixture, vip) == ["ann@freddiesjokes.com"])
    }

    /// Recorded: https://github.com/thorning/node-mailchimp/issues/32 (2017-10-31, a DELETE of a segment
    /// member on a saved segment: "error code 400", the detail with the id in quotes) and
    /// https://github.com/brandonseydel/MailChimp.Net/issues/377 (2019-03-04, the same detail on an add).
    /// Saved segments cannot be created through the fake, so the row is written directly.
    @Test func memberCallsOnASavedSegmentGetTheRecordedStaticSegmentError() async throws {
        let fixture = try Self.fixture()
        try fixture.fake.write { db in
            try db.execute(sql: "INSERT INTO segment (list_id, id, name, type, created_at, updated_at) VALUES (?, 311, 'Saved', 'saved', '', '')",
                           arguments: [Self.list])
        }
        let expected = ProblemFields(status: 400, title: "Invalid Resource",
                                     detail: "A Static Segment with an id of \"311\" does not exist for this list.")
        let delete = await fixture.send("DELETE", "/3.0/lists/\(Self.list)/segments/311/members/\(subscriberHash("ann@freddiesjokes.com"))")
        #expect(ProblemFields(delete) == expected)
        let add = await fixture.send("POST", "/3.0/lists/\(Self.list)/segments/311/members", ["email_address": "ann@freddiesjokes.com"])
        #expect(ProblemFields(add) == expected)
        let replace = await fixture.send("PATCH", "/3.0/lists/\(Self.list)/segments/311", ["name": "Saved", "static_segment": []])
        #expect(ProblemFields(replace) == expected)
    }

    @Test func patchRenamesAndKeepsTheMembers() async throws {
        let clock = VirtualClock(start: MailchimpFixture.start)
        let fixture = try MailchimpFixture(members: [.init(email: "ann@freddiesjokes.com", tags: ["VIP"])], clock: clock)
        let vip = try await Self.vip(fixture)
        clock.set(MailchimpFixture.start.adding(.seconds(60)))
        let response = await fixture.send("PATCH", "/3.0/lists/\(Self.list)/segments/\(vip)", ["name": "Gold"])
        #expect(response.status == 200)
        #expect(response.json?["name"] == "Gold")
        #expect(response.json?["member_count"] == 1)
        #expect(response.json?["updated_at"] != response.json?["created_at"])
        let found = await fixture.send("GET", "/3.0/lists/\(Self.list)/tag-search?name=Gold")
        #expect(found.json?["tags"]?.arrayValue?.first?["id"] == .int(vip))
    }

    @Test func patchWithStaticSegmentReplacesTheMembersIgnoringUnknownAddresses() async throws {
        let fixture = try Self.fixture()
        let vip = try await Self.vip(fixture)
        let response = await fixture.send("PATCH", "/3.0/lists/\(Self.list)/segments/\(vip)",
                                          ["name": "VIP", "static_segment": ["bob@freddiesjokes.com", "zed@freddiesjokes.com"]])
        #expect(response.status == 200)
        #expect(await Self.members(fixture, vip) == ["bob@freddiesjokes.com"])
        let emptied = await fixture.send("PATCH", "/3.0/lists/\(Self.list)/segments/\(vip)", ["name": "VIP", "static_segment": []])
        #expect(emptied.json?["member_count"] == 0)
    }

    @Test func patchNeedsANameAndAnArrayOfAddresses() async throws {
        let fixture = try Self.fixture()
        let vip = try await Self.vip(fixture)
        let noName = await fixture.send("PATCH", "/3.0/lists/\(Self.list)/segments/\(vip)", ["static_segment": []])
        #expect(noName.status == 400)
        #expect(noName.json?["errors"]?.arrayValue?.first?["field"] == "name")
        let notArray = await fixture.send("PATCH", "/3.0/lists/\(Self.list)/segments/\(vip)", ["name": "VIP", "static_segment": "bob@freddiesjokes.com"])
        #expect(notArray.status == 400)
        #expect(notArray.json?["errors"]?.arrayValue?.first?["field"] == "static_segment")
        #expect(await Self.members(fixture, vip) == ["ann@freddiesjokes.com"])
        let unknown = await fixture.send("PATCH", "/3.0/lists/\(Self.list)/segments/1", ["name": "X"])
        #expect(unknown.status == 404)
    }

    @Test(arguments: [
        ("PUT", "/3.0/lists/list000001/segments/1", "GET, DELETE, POST, PATCH"),
        ("GET", "/3.0/lists/list000001/segments/1/members/0123456789abcdef0123456789abcdef", "DELETE"),
        ("PUT", "/3.0/lists/list000001/segments/1/members", "GET, POST"),
    ])
    func everyRoute405NamesTheMethodsThePathTakes(_ method: String, _ path: String, _ allow: String) async throws {
        let fixture = try Self.fixture()
        let response = await fixture.send(method, path)
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == allow)
    }

    @Test func aTriggered405NamesTheMethodsThePathTakes() async throws {
        let fixture = try Self.fixture()
        let response = await fixture.send("GET", "/3.0/lists/\(Self.list)/segments", headers: ["X-Trigger-Error": "MethodNotAllowed"])
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "GET, POST")
    }
}

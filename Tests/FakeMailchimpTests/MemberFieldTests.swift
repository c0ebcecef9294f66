import Testing
import SimCore
import SimHTTP
@testable import FakeMailchimp

/// The member object's bookkeeping fields as a recorded real create shows them (issue 14): grouparoo
/// `plugins/@grouparoo/mailchimp/__tests__/fixtures/export/export-record.js`@87d2f1a47aee063b63d28cec6e4746a8fd958c52
/// (us3, 2021-11-23): `timestamp_opt` and `last_changed` both the time of the POST, `timestamp_signup`
/// `""`, a 10-hex `unique_email_id`, an integer `web_id`, `source: "API - Generic"`, `tags_count`
/// beside `tags`, and no `status_if_new`.
@Suite(.timeLimit(.minutes(2))) struct MemberFieldTests {
    static let list = MailchimpFixture.list
    static let start = MailchimpFixture.start

    static func isHex(_ text: String?, count: Int) -> Bool {
        guard let text else { return false }
        return text.utf8.count == count && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    @Test func aSubscribedCreateHasTheRecordedBookkeepingFields() async throws {
        let clock = VirtualClock(start: Self.start)
        let fixture = try MailchimpFixture(clock: clock)
        clock.set(Self.start.adding(.seconds(90)))
        let created = await fixture.send("POST", "/3.0/lists/\(Self.list)/members",
                                         ["email_address": "new@freddiesjokes.com", "status": "subscribed", "status_if_new": "pending"])
        let json = try #require(created.json)
        let now = JSONValue.string(Self.start.adding(.seconds(90)).mailchimpTimestamp)
        #expect(json["timestamp_opt"] == now)
        #expect(json["last_changed"] == now)
        #expect(json["timestamp_signup"] == "")
        #expect(Self.isHex(json["unique_email_id"]?.stringValue, count: 10))
        #expect((json["web_id"]?.intValue ?? 0) > 0)
        #expect(json["source"] == "API - Generic")
        #expect(json["tags_count"] == 0)
        #expect(json["status_if_new"] == nil)
    }

    @Test func statusIfNewIsNeverEchoed() async throws {
        let fixture = try MailchimpFixture(members: [.init(email: "ann@freddiesjokes.com")])
        let hash = subscriberHash("ann@freddiesjokes.com")
        let responses = [
            await fixture.send("PUT", "/3.0/lists/\(Self.list)/members/\(hash)", ["email_address": "ann@freddiesjokes.com", "status_if_new": "subscribed"]),
            await fixture.send("PATCH", "/3.0/lists/\(Self.list)/members/\(hash)", ["status_if_new": "subscribed", "merge_fields": ["FNAME": "A"]]),
            await fixture.send("GET", "/3.0/lists/\(Self.list)/members/\(hash)"),
        ]
        for response in responses {
            #expect(response.status == 200)
            #expect(response.json?["status_if_new"] == nil)
        }
        let batch = await fixture.send("POST", "/3.0/lists/\(Self.list)", ["members": [["email_address": "bob@freddiesjokes.com", "status_if_new": "subscribed"]],
                                                                           "update_existing": true])
        #expect(batch.json?["new_members"]?.arrayValue?.first?["status_if_new"] == nil)
    }

    @Test func anUpdateMovesLastChangedAndKeepsTimestampOpt() async throws {
        let clock = VirtualClock(start: Self.start)
        let fixture = try MailchimpFixture(members: [.init(email: "ann@freddiesjokes.com")], clock: clock)
        let path = "/3.0/lists/\(Self.list)/members/\(subscriberHash("ann@freddiesjokes.com"))"
        let before = await fixture.send("GET", path)
        clock.set(Self.start.adding(.seconds(300)))
        let after = await fixture.send("PATCH", path, ["merge_fields": ["FNAME": "Ann"]])
        #expect(after.json?["last_changed"] == .string(Self.start.adding(.seconds(300)).mailchimpTimestamp))
        #expect(after.json?["timestamp_opt"] == before.json?["timestamp_opt"])
        #expect(after.json?["unique_email_id"] == before.json?["unique_email_id"])
        #expect(after.json?["web_id"] == before.json?["web_id"])
    }

    @Test func tagsCountCountsEveryTagBesideTheListedOnes() async throws {
        let fixture = try MailchimpFixture(members: [.init(email: "ann@freddiesjokes.com", tags: ["A", "B"])])
        let response = await fixture.send("GET", "/3.0/lists/\(Self.list)/members/\(subscriberHash("ann@freddiesjokes.com"))")
        #expect(response.json?["tags_count"] == 2)
        #expect(response.json?["tags"]?.arrayValue?.count == 2)
    }
}

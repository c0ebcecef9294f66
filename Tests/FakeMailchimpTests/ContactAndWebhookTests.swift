import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMailchimp

@Suite(.timeLimit(.minutes(2))) struct ContactAndWebhookTests {
    static let list = MailchimpFixture.list

    func member(_ fixture: MailchimpFixture, _ email: String) async -> JSONValue? {
        await fixture.send("GET", "/3.0/lists/\(Self.list)/members/\(subscriberHash(email))").json
    }

    @Test func contactUnsubscribeIsACompliancStateAdminUnsubscribeIsNot() async throws {
        let fixture = try MailchimpFixture(members: [.init(email: "a@freddiesjokes.com"), .init(email: "b@freddiesjokes.com")])
        try fixture.fake.unsubscribe(email: "a@freddiesjokes.com", list: "News", byContact: true)
        try fixture.fake.unsubscribe(email: "b@freddiesjokes.com", list: Self.list, byContact: false)
        #expect(await member(fixture, "a@freddiesjokes.com")?["unsubscribe_reason"] == "N/A (Unsubscribed via unsubscribe link)")
        let a = await fixture.send("PATCH", "/3.0/lists/\(Self.list)/members/\(subscriberHash("a@freddiesjokes.com"))", ["status": "subscribed"])
        #expect(ProblemFields(a) == ProblemFields(
            status: 400, title: "Member In Compliance State",
            detail: "a@freddiesjokes.com is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed."))
        let b = await fixture.send("PATCH", "/3.0/lists/\(Self.list)/members/\(subscriberHash("b@freddiesjokes.com"))", ["status": "subscribed"])
        #expect(b.json?["status"] == "subscribed")
    }

    @Test func cleanedArchivedAndErasedContacts() async throws {
        let fixture = try MailchimpFixture(members: [.init(email: "c@freddiesjokes.com"), .init(email: "d@freddiesjokes.com"), .init(email: "e@freddiesjokes.com")])
        try fixture.fake.clean(email: "c@freddiesjokes.com", list: Self.list)
        #expect(await member(fixture, "c@freddiesjokes.com")?["status"] == "cleaned")
        #expect(throws: MailchimpProblem.cannotArchive) { try fixture.fake.archive(email: "c@freddiesjokes.com", list: Self.list) }
        try fixture.fake.archive(email: "d@freddiesjokes.com", list: Self.list)
        #expect(await member(fixture, "d@freddiesjokes.com")?["status"] == "archived")
        try fixture.fake.deletePermanently(email: "e@freddiesjokes.com", list: Self.list)
        #expect(await fixture.send("GET", "/3.0/lists/\(Self.list)/members/\(subscriberHash("e@freddiesjokes.com"))").status == 404)
        let readd = await fixture.send("POST", "/3.0/lists/\(Self.list)/members", ["email_address": "e@freddiesjokes.com", "status": "subscribed"])
        #expect(ProblemFields(readd) == ProblemFields(
            status: 400, title: "Forgotten Email Not Subscribed",
            detail: "e@freddiesjokes.com was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list."))
        #expect(throws: MailchimpProblem.notFound) { try fixture.fake.clean(email: "nobody@freddiesjokes.com", list: Self.list) }
    }

    @Test func changedEmailKeepsStatusAndTags() async throws {
        let fixture = try MailchimpFixture(members: [.init(email: "old@freddiesjokes.com", tags: ["VIP"])])
        try fixture.fake.changeEmail(from: "old@freddiesjokes.com", to: "New@freddiesjokes.com", list: Self.list)
        #expect(await fixture.send("GET", "/3.0/lists/\(Self.list)/members/\(subscriberHash("old@freddiesjokes.com"))").status == 404)
        let moved = await member(fixture, "new@freddiesjokes.com")
        #expect(moved?["email_address"] == "New@freddiesjokes.com")
        #expect(moved?["status"] == "subscribed")
        #expect(moved?["tags"]?.arrayValue?.first?["name"] == "VIP")
    }

    func register(_ fixture: MailchimpFixture, url: String, sources: JSONValue) async -> HTTPResponse {
        await fixture.send("POST", "/3.0/lists/\(Self.list)/webhooks", [
            "url": .string(url), "sources": sources,
            "events": ["subscribe": true, "unsubscribe": true, "profile": true, "cleaned": true, "upemail": true, "campaign": true],
        ])
    }

    @Test func webhooksAreRegisteredListedAndDeleted() async throws {
        let fixture = try MailchimpFixture()
        let created = await register(fixture, url: "https://hooks.example.com/mc", sources: ["user": true, "admin": true, "api": false])
        #expect(created.status == 200)
        let id = try #require(created.json?["id"]?.stringValue)
        #expect(created.json?["sources"]?["api"] == false)
        let listed = await fixture.send("GET", "/3.0/lists/\(Self.list)/webhooks")
        #expect(listed.json?["total_items"] == 1)
        #expect(await fixture.send("DELETE", "/3.0/lists/\(Self.list)/webhooks/\(id)").status == 204)
        #expect(await fixture.send("GET", "/3.0/lists/\(Self.list)/webhooks/\(id)").status == 404)
        let missing = await fixture.send("POST", "/3.0/lists/\(Self.list)/webhooks", ["events": ["subscribe": true]])
        #expect(missing.json?["errors"]?.arrayValue?.first?["field"] == "url")
    }

    @Test func deliveriesRespectSources() async throws {
        let fixture = try MailchimpFixture(members: [.init(email: "u@freddiesjokes.com", mergeFields: ["FNAME": "Una"])])
        _ = await register(fixture, url: "https://hooks.example.com/no-api", sources: ["user": true, "admin": true, "api": false])
        _ = await register(fixture, url: "https://hooks.example.com/all", sources: ["user": true, "admin": true, "api": true])
        _ = await fixture.send("POST", "/3.0/lists/\(Self.list)/members", ["email_address": "api@freddiesjokes.com", "status": "subscribed"])
        try fixture.fake.unsubscribe(email: "u@freddiesjokes.com", list: Self.list, byContact: true)
        let deliveries = try fixture.fake.webhookDeliveries()
        #expect(deliveries.map { "\($0.type)/\($0.source) -> \($0.url.split(separator: "/").last!)" }.sorted() == [
            "subscribe/api -> all", "unsubscribe/user -> all", "unsubscribe/user -> no-api",
        ])
        let delivery = try #require(deliveries.first { $0.url.hasSuffix("no-api") })
        let unsub = delivery.fields
        #expect(unsub.first?.name == "type" && unsub.first?.value == "unsubscribe")
        #expect(unsub.contains { $0.name == "fired_at" && $0.value == MailchimpFixture.start.spacedTimestamp })
        #expect(unsub.contains { $0.name == "data[action]" && $0.value == "unsub" })
        #expect(unsub.contains { $0.name == "data[merges][FNAME]" && $0.value == "Una" })
        #expect(unsub.contains { $0.name == "data[email]" && $0.value == "u@freddiesjokes.com" })
        #expect(delivery.body.contains("data%5Baction%5D=unsub"))
    }

    @Test func profileUpemailAndCleanedEvents() async throws {
        let fixture = try MailchimpFixture(members: [.init(email: "p@freddiesjokes.com")])
        _ = await register(fixture, url: "https://hooks.example.com/all", sources: ["user": true, "admin": true, "api": true])
        _ = await fixture.send("PATCH", "/3.0/lists/\(Self.list)/members/\(subscriberHash("p@freddiesjokes.com"))", ["merge_fields": ["FNAME": "Pat"]])
        try fixture.fake.changeEmail(from: "p@freddiesjokes.com", to: "q@freddiesjokes.com", list: Self.list)
        try fixture.fake.clean(email: "q@freddiesjokes.com", list: Self.list)
        _ = await fixture.send("DELETE", "/3.0/lists/\(Self.list)/members/\(subscriberHash("q@freddiesjokes.com"))")
        let deliveries = try fixture.fake.webhookDeliveries()
        #expect(deliveries.map(\.type) == ["profile", "upemail", "cleaned"])
        #expect(deliveries[1].fields.map(\.name) == ["type", "fired_at", "data[list_id]", "data[new_id]", "data[new_email]", "data[old_email]"])
        #expect(deliveries[2].fields.contains { $0.name == "data[reason]" && $0.value == "hard" })
        #expect(deliveries[2].source == "")
    }
}

import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMailchimp

@Suite(.timeLimit(.minutes(2))) struct CampaignReportTests {
    static let list = MailchimpFixture.list

    func fixture(clock: VirtualClock) throws -> MailchimpFixture {
        try MailchimpFixture(members: [
            .init(email: "a@freddiesjokes.com", tags: ["Power"]), .init(email: "b@freddiesjokes.com", tags: ["Power"]),
            .init(email: "c@freddiesjokes.com"), .init(email: "gone@freddiesjokes.com", status: "unsubscribed"),
        ], clock: clock)
    }

    @Test func campaignGoesToSubscribedMembersWithTheTag() async throws {
        let clock = VirtualClock(start: MailchimpFixture.start)
        let fixture = try fixture(clock: clock)
        let all = try fixture.fake.sendCampaign(list: "News", subject: "Hello all")
        let tagged = try fixture.fake.sendCampaign(list: Self.list, tag: "power", subject: "Hello power users")
        #expect(all != tagged && all.count == 10)
        let sentTo = await fixture.send("GET", "/3.0/reports/\(tagged)/sent-to")
        #expect(sentTo.json?["total_items"] == 2)
        #expect(sentTo.json?["sent_to"]?.arrayValue?.compactMap { $0["email_address"]?.stringValue } == ["a@freddiesjokes.com", "b@freddiesjokes.com"])
        #expect(sentTo.json?["sent_to"]?.arrayValue?.first?["status"] == "sent")
        #expect(await fixture.send("GET", "/3.0/reports/\(all)/sent-to").json?["total_items"] == 3)
        let campaigns = await fixture.send("GET", "/3.0/campaigns?list_id=\(Self.list)&status=sent")
        #expect(campaigns.json?["total_items"] == 2)
        #expect(await fixture.send("GET", "/3.0/campaigns?status=save").json?["total_items"] == 0)
        #expect(await fixture.send("GET", "/3.0/campaigns?status=bogus").status == 400)
        let one = await fixture.send("GET", "/3.0/campaigns/\(tagged)")
        #expect(one.json?["settings"]?["subject_line"] == "Hello power users")
        #expect(one.json?["recipients"]?["recipient_count"] == 2)
        #expect(await fixture.send("GET", "/3.0/campaigns/nope").status == 404)
    }

    @Test func activityFeedsTheReports() async throws {
        let clock = VirtualClock(start: MailchimpFixture.start)
        let fixture = try fixture(clock: clock)
        let id = try fixture.fake.sendCampaign(list: Self.list, subject: "Spring")
        clock.set(MailchimpFixture.start.adding(.minutes(5)))
        try fixture.fake.recordActivity(campaign: id, email: "a@freddiesjokes.com", action: .open)
        try fixture.fake.recordActivity(campaign: id, email: "a@freddiesjokes.com", action: .click, url: "https://example.com/x")
        try fixture.fake.recordActivity(campaign: id, email: "b@freddiesjokes.com", action: .bounce, bounceType: .soft)
        clock.set(MailchimpFixture.start.adding(.minutes(10)))
        try fixture.fake.recordActivity(campaign: id, email: "c@freddiesjokes.com", action: .bounce, bounceType: .hard)
        try fixture.fake.recordActivity(campaign: id, email: "a@freddiesjokes.com", action: .unsubscribe, reason: "Too many emails")
        #expect(throws: MailchimpProblem.notFound) {
            try fixture.fake.recordActivity(campaign: id, email: "gone@freddiesjokes.com", action: .open)
        }

        let activity = await fixture.send("GET", "/3.0/reports/\(id)/email-activity/\(subscriberHash("a@freddiesjokes.com"))")
        let actions = activity.json?["activity"]?.arrayValue ?? []
        #expect(actions.compactMap { $0["action"]?.stringValue } == ["open", "click"])
        #expect(actions.last?["url"] == "https://example.com/x")
        #expect(actions.first?["timestamp"] == .string(MailchimpFixture.start.adding(.minutes(5)).mailchimpTimestamp))
        let since = MailchimpFixture.start.adding(.minutes(8)).iso8601
        let recent = await fixture.send("GET", "/3.0/reports/\(id)/email-activity?since=\(since)")
        #expect(recent.json?["emails"]?.arrayValue?.compactMap { $0["email_address"]?.stringValue } == ["c@freddiesjokes.com"])
        #expect(recent.json?["emails"]?.arrayValue?.first?["activity"]?.arrayValue?.first?["type"] == "hard")

        let members = try fixture.fake.dump()[0].members
        #expect(members.map(\.status) == ["unsubscribed", "subscribed", "cleaned", "unsubscribed"])
        let a = await fixture.send("GET", "/3.0/lists/\(Self.list)/members/\(subscriberHash("a@freddiesjokes.com"))")
        #expect(a.json?["unsubscribe_reason"] == "Too many emails")
        let resubscribe = await fixture.send("PATCH", "/3.0/lists/\(Self.list)/members/\(subscriberHash("a@freddiesjokes.com"))", ["status": "subscribed"])
        #expect(ProblemFields(resubscribe).title == "Member In Compliance State")

        let unsubscribed = await fixture.send("GET", "/3.0/reports/\(id)/unsubscribed")
        #expect(unsubscribed.json?["unsubscribes"]?.arrayValue?.first?["reason"] == "Too many emails")
        #expect(unsubscribed.json?["total_items"] == 1)
        let sentTo = await fixture.send("GET", "/3.0/reports/\(id)/sent-to")
        #expect(sentTo.json?["sent_to"]?.arrayValue?.compactMap { $0["status"]?.stringValue } == ["sent", "soft", "hard"])
        #expect(sentTo.json?["sent_to"]?.arrayValue?.first?["open_count"] == 1)
        let clicks = await fixture.send("GET", "/3.0/reports/\(id)/click-details")
        #expect(clicks.json?["urls_clicked"]?.arrayValue?.first?["total_clicks"] == 1)
        let report = await fixture.send("GET", "/3.0/reports/\(id)")
        #expect(report.json?["emails_sent"] == 3)
        #expect(report.json?["bounces"]?["hard_bounces"] == 1)
        #expect(report.json?["opens"]?["unique_opens"] == 1)
        #expect(report.json?["unsubscribed"] == 1)
        let paged = await fixture.send("GET", "/3.0/reports/\(id)/sent-to?count=1&offset=1")
        #expect(paged.json?["sent_to"]?.arrayValue?.count == 1)
        #expect(paged.json?["total_items"] == 3)
    }

    @Test func reportsOfADeletedAudienceSayListIsInactive() async throws {
        let fixture = try fixture(clock: VirtualClock(start: MailchimpFixture.start))
        let id = try fixture.fake.sendCampaign(list: Self.list, subject: "Bye")
        try fixture.fake.deleteAudience(id: Self.list)
        let report = await fixture.send("GET", "/3.0/reports/\(id)")
        #expect(report.json?["list_is_active"] == false)
    }
}

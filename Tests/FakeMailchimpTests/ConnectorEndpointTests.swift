import Foundation
import SimCore
import SimHTTP
import Testing
@testable import FakeMailchimp

/// The listings third-party readers (the Airbyte Mailchimp source) call: automations, the reports
/// listing, interest categories, and the date filters on lists and segments.
@Suite(.timeLimit(.minutes(1))) struct ConnectorEndpointTests {
    /// A fixture whose audience received one campaign an hour after the start, and a second an
    /// hour later.
    func twoCampaigns() throws -> (MailchimpFixture, VirtualClock) {
        let clock = VirtualClock(start: MailchimpFixture.start)
        let fixture = try MailchimpFixture(members: [.init(email: "a@freddiesjokes.com", status: "subscribed")], clock: clock)
        clock.set(MailchimpFixture.start.adding(.hours(1)))
        _ = try fixture.fake.sendCampaign(list: MailchimpFixture.list, subject: "One")
        clock.set(MailchimpFixture.start.adding(.hours(2)))
        _ = try fixture.fake.sendCampaign(list: MailchimpFixture.list, subject: "Two")
        return (fixture, clock)
    }

    @Test func automationsListIsEmptyWithItsRealShapeAndOneIsNotFound() async throws {
        let fixture = try MailchimpFixture()
        let list = await fixture.send("GET", "/3.0/automations?count=10&since_create_time=2020-01-01T00:00:00Z")
        #expect(list.status == 200)
        #expect(list.json?["automations"]?.arrayValue == [] && list.json?["total_items"] == 0)
        #expect(await fixture.send("GET", "/3.0/automations/abc123").status == 404)
        #expect(await fixture.send("GET", "/3.0/automations?status=running").status == 400)
    }

    @Test func reportsListingHasEverySentCampaignAndHonoursTheSendTimeWindow() async throws {
        let (fixture, _) = try twoCampaigns()
        let all = await fixture.send("GET", "/3.0/reports")
        #expect(all.json?["total_items"] == 2, "\(all.bodyText)")
        #expect(all.json?["reports"]?.arrayValue?.first?["subject_line"] == "One")
        let since = MailchimpFixture.start.adding(.minutes(90)).iso8601
        let newestFirst = await fixture.send("GET", "/3.0/reports?sort_field=send_time&sort_dir=DESC")
        #expect(newestFirst.json?["reports"]?.arrayValue?.map { $0["subject_line"] } == ["Two", "One"])
        let late = await fixture.send("GET", "/3.0/reports?since_send_time=\(since)")
        #expect(late.json?["reports"]?.arrayValue?.map { $0["subject_line"] } == ["Two"])
        let early = await fixture.send("GET", "/3.0/reports?before_send_time=\(since)")
        #expect(early.json?["reports"]?.arrayValue?.map { $0["subject_line"] } == ["One"])
        #expect(await fixture.send("GET", "/3.0/reports?since_send_time=yesterday").status == 400)
    }

    @Test func interestCategoriesOfAnAudienceAreEmptyAndUnknownCategoriesAreNotFound() async throws {
        let fixture = try MailchimpFixture()
        let list = await fixture.send("GET", "/3.0/lists/\(MailchimpFixture.list)/interest-categories")
        #expect(list.status == 200)
        #expect(list.json?["categories"]?.arrayValue == [] && list.json?["list_id"]?.stringValue == MailchimpFixture.list)
        #expect(await fixture.send("GET", "/3.0/lists/\(MailchimpFixture.list)/interest-categories/c1/interests").status == 404)
        #expect(await fixture.send("GET", "/3.0/lists/nope/interest-categories").status == 404)
    }

    /// `date_created` is honoured; `campaign_last_sent` is refused by name (docs/fidelity.md).
    @Test func listsHonourTheDateCreatedWindowAndRefuseCampaignLastSent() async throws {
        let (fixture, _) = try twoCampaigns()
        let created = MailchimpFixture.start.adding(.minutes(1)).iso8601
        #expect(await fixture.send("GET", "/3.0/lists?since_date_created=\(created)").json?["total_items"] == 0)
        #expect(await fixture.send("GET", "/3.0/lists?before_date_created=\(created)").json?["total_items"] == 1)
        let lastSent = MailchimpFixture.start.adding(.minutes(150)).iso8601
        let refused = await fixture.send("GET", "/3.0/lists?since_campaign_last_sent=\(lastSent)")
        #expect(refused.status == 400 && refused.bodyText.contains("since_campaign_last_sent"), "\(refused.bodyText)")
    }

    @Test func segmentsHonourTheCreatedAndUpdatedWindows() async throws {
        let clock = VirtualClock(start: MailchimpFixture.start)
        let fixture = try MailchimpFixture(clock: clock)
        clock.set(MailchimpFixture.start.adding(.hours(1)))
        let made = await fixture.send("POST", "/3.0/lists/\(MailchimpFixture.list)/segments", ["name": "Later", "static_segment": []])
        #expect(made.status == 200, "\(made.bodyText)")
        let cut = MailchimpFixture.start.adding(.minutes(30)).iso8601
        let path = "/3.0/lists/\(MailchimpFixture.list)/segments"
        #expect(await fixture.send("GET", path + "?since_created_at=\(cut)").json?["total_items"] == 1)
        #expect(await fixture.send("GET", path + "?before_created_at=\(cut)").json?["total_items"] == 0)
        #expect(await fixture.send("GET", path + "?since_updated_at=\(cut)").json?["total_items"] == 1)
        #expect(await fixture.send("GET", path + "?before_updated_at=\(cut)").json?["total_items"] == 0)
    }

    @Test(arguments: ["/3.0/lists?email=a@freddiesjokes.com", "/3.0/lists?has_ecommerce_store=true",
                      "/3.0/lists/\(MailchimpFixture.list)/segments?include_cleaned=true", "/3.0/reports?folder_id=x",
                      "/3.0/automations?sort_field=create_time&skip_merge_validation=true"])
    func anUnsupportedFilterIsRefusedByNameNotIgnored(_ path: String) async throws {
        let fixture = try MailchimpFixture()
        let response = await fixture.send("GET", path)
        #expect(response.status == 400, "\(response.bodyText)")
        let detail = response.json?["detail"]?.stringValue ?? ""
        #expect(detail.contains("does not support") || detail.contains("not supported by the CohortSim fake"), "\(response.bodyText)")
    }
}

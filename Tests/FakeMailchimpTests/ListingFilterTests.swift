import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMailchimp

/// Listing filters and order on members, lists and segments (issue 14; `docs/fidelity.md`, "Listings").
@Suite(.timeLimit(.minutes(2))) struct ListingFilterTests {
    static let list = MailchimpFixture.list
    static let start = MailchimpFixture.start
    /// A time as Mailchimp writes it, percent-encoded for a query string (`+` would read as a space).
    static func at(_ seconds: Int64) -> String {
        start.adding(.seconds(seconds)).mailchimpTimestamp.replacingOccurrences(of: "+", with: "%2B")
    }

    /// Ann, Bob and Cat from the start; Bob changed at +60 s; Dan subscribed at +120 s.
    static func fixture() async throws -> MailchimpFixture {
        let clock = VirtualClock(start: start)
        let fixture = try MailchimpFixture(members: [
            .init(email: "ann@freddiesjokes.com"), .init(email: "bob@freddiesjokes.com"), .init(email: "cat@freddiesjokes.com"),
        ], clock: clock)
        clock.set(start.adding(.seconds(60)))
        let changed = await fixture.send("PATCH", "/3.0/lists/\(list)/members/\(subscriberHash("bob@freddiesjokes.com"))",
                                         ["merge_fields": ["FNAME": "Bob"]])
        #expect(changed.status == 200)
        clock.set(start.adding(.seconds(120)))
        let added = await fixture.send("POST", "/3.0/lists/\(list)/members", ["email_address": "dan@freddiesjokes.com", "status": "subscribed"])
        #expect(added.status == 200)
        return fixture
    }

    static func emails(_ response: HTTPResponse) -> [String] {
        response.json?["members"]?.arrayValue?.compactMap { $0["email_address"]?.stringValue } ?? []
    }

    static func members(_ fixture: MailchimpFixture, _ query: String) async -> HTTPResponse {
        await fixture.send("GET", "/3.0/lists/\(list)/members?" + query)
    }

    @Test func sinceAndBeforeLastChangedFormAHalfOpenWindow() async throws {
        let fixture = try await Self.fixture()
        let since = await Self.members(fixture, "since_last_changed=\(Self.at(60))&before_last_changed=\(Self.at(120))")
        #expect(Self.emails(since) == ["bob@freddiesjokes.com"])
        #expect(since.json?["total_items"] == 1)
        let before = await Self.members(fixture, "before_last_changed=\(Self.at(60))")
        #expect(Set(Self.emails(before)) == ["ann@freddiesjokes.com", "cat@freddiesjokes.com"])
    }

    @Test func sinceTimestampOptTakesAnyISO8601Form() async throws {
        let fixture = try await Self.fixture()
        let response = await Self.members(fixture, "since_timestamp_opt=" + Self.start.adding(.seconds(100)).iso8601)
        #expect(Self.emails(response) == ["dan@freddiesjokes.com"])
        let before = await Self.members(fixture, "before_timestamp_opt=\(Self.at(100))&status=subscribed")
        #expect(before.json?["total_items"] == 3)
    }

    @Test func sortFieldOrdersTheListingAndSortDirReversesIt() async throws {
        let fixture = try await Self.fixture()
        let descending = await Self.members(fixture, "sort_field=last_changed&sort_dir=DESC")
        #expect(Array(Self.emails(descending).prefix(2)) == ["dan@freddiesjokes.com", "bob@freddiesjokes.com"])
        let ascending = await Self.members(fixture, "sort_field=timestamp_opt&count=1&offset=3")
        #expect(Self.emails(ascending) == ["dan@freddiesjokes.com"])
        #expect(ascending.json?["total_items"] == 4)
    }

    @Test func badSortsAndTimesAreSchemaErrors() async throws {
        let fixture = try await Self.fixture()
        for (query, field) in [("sort_field=email_address", "sort_field"), ("sort_field=last_changed&sort_dir=UP", "sort_dir"),
                               ("since_last_changed=yesterday", "since_last_changed"), ("email_type=rtf", "email_type")] {
            let response = await Self.members(fixture, query)
            #expect(response.status == 400, "\(query)")
            #expect(response.json?["errors"]?.arrayValue?.first?["field"] == .string(field), "\(query)")
        }
    }

    @Test func documentedFiltersTheFakeDoesNotModelAreRefusedNotIgnored() async throws {
        let fixture = try await Self.fixture()
        for query in ["interest_ids=abc", "interest_category_id=1", "interest_match=any", "since_last_campaign=true", "unsubscribed_since=2020-01-01"] {
            let response = await Self.members(fixture, query)
            #expect(response.status == 400, "\(query)")
            #expect(response.json?["detail"]?.stringValue?.hasSuffix("parameter is not supported by the CohortSim fake.") == true)
        }
    }

    @Test func constantFieldFiltersMatchAsTheFakeStoresThem() async throws {
        let fixture = try await Self.fixture()
        #expect(await Self.members(fixture, "email_type=html").json?["total_items"] == 4)
        #expect(await Self.members(fixture, "email_type=text").json?["total_items"] == 0)
        #expect(await Self.members(fixture, "vip_only=true").json?["total_items"] == 0)
        let ann = await fixture.send("GET", "/3.0/lists/\(Self.list)/members/\(subscriberHash("ann@freddiesjokes.com"))")
        let id = try #require(ann.json?["unique_email_id"]?.stringValue)
        #expect(Self.emails(await Self.members(fixture, "unique_email_id=\(id)")) == ["ann@freddiesjokes.com"])
    }

    @Test func anOffsetPastTheEndIsAnEmptyPageWithTheTotal() async throws {
        let fixture = try await Self.fixture()
        for query in ["offset=50", "offset=50&sort_field=last_changed"] {
            let response = await Self.members(fixture, query)
            #expect(response.status == 200)
            #expect(response.json?["members"] == [])
            #expect(response.json?["total_items"] == 4)
        }
    }

    @Test func fieldsWithoutTheCollectionPrefixNameNothingInTheListing() async throws {
        let fixture = try await Self.fixture()
        let bare = await Self.members(fixture, "fields=email_address")
        #expect(bare.status == 200)
        #expect(bare.json == [:])
        let excluded = await Self.members(fixture, "exclude_fields=email_address&count=1")
        #expect(excluded.json?["members"]?.arrayValue?.first?["email_address"] != nil)
        let prefixed = await Self.members(fixture, "fields=members.email_address&count=1")
        #expect(prefixed.json == ["members": [["email_address": .string(Self.emails(excluded)[0])]]])
        let excludedPrefixed = await Self.members(fixture, "exclude_fields=members.email_address&count=1")
        #expect(excludedPrefixed.json?["members"]?.arrayValue?.first?["email_address"] == nil)
        #expect(excludedPrefixed.json?["total_items"] == 4)
    }

    @Test func listsFilterAndSortByDateCreated() async throws {
        let clock = VirtualClock(start: Self.start)
        let fixture = try MailchimpFixture(clock: clock)
        clock.set(Self.start.adding(.seconds(3600)))
        let created = await fixture.send("POST", "/3.0/lists", ListAndMergeFieldTests.validList)
        let id = try #require(created.json?["id"]?.stringValue)
        let since = await fixture.send("GET", "/3.0/lists?since_date_created=\(Self.at(60))")
        #expect(since.json?["lists"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [id])
        #expect(since.json?["total_items"] == 1)
        let descending = await fixture.send("GET", "/3.0/lists?sort_field=date_created&sort_dir=DESC&fields=lists.id")
        #expect(descending.json?["lists"]?.arrayValue?.compactMap { $0["id"]?.stringValue }.first == id)
        let unsupported = await fixture.send("GET", "/3.0/lists?email=ann@freddiesjokes.com")
        #expect(unsupported.status == 400)
        let prefixless = await fixture.send("GET", "/3.0/lists?fields=id")
        #expect(prefixless.json == [:])
    }

    @Test func segmentsFilterByCreatedAndUpdatedTimesAndRefuseIncludeFlags() async throws {
        let clock = VirtualClock(start: Self.start)
        let fixture = try MailchimpFixture(members: [.init(email: "ann@freddiesjokes.com", tags: ["Old"])], clock: clock)
        clock.set(Self.start.adding(.seconds(600)))
        let created = await fixture.send("POST", "/3.0/lists/\(Self.list)/segments", ["name": "New", "static_segment": []])
        #expect(created.status == 200)
        let names = { (query: String) async -> [String] in
            let response = await fixture.send("GET", "/3.0/lists/\(Self.list)/segments?" + query)
            return response.json?["segments"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        }
        #expect(await names("since_created_at=\(Self.at(300))") == ["New"])
        #expect(await names("before_updated_at=\(Self.at(300))") == ["Old"])
        let refused = await fixture.send("GET", "/3.0/lists/\(Self.list)/segments?include_cleaned=true")
        #expect(refused.status == 400)
    }
}

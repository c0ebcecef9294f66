import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMailchimp

/// `count`/`offset` paging of member and segment-member listings: whichever way a listing is
/// paged (continuing pages use keyset cursors, others `OFFSET`), the pages are slices of one
/// stable order and `total_items` is the whole listing.
@Suite(.timeLimit(.minutes(2))) struct ListingPagingTests {
    static let list = MailchimpFixture.list

    func emails(_ fixture: MailchimpFixture, _ path: String) async -> (emails: [String], total: Int64?) {
        let page = await fixture.send("GET", path).json
        return ((page?["members"]?.arrayValue ?? []).compactMap { $0["email_address"]?.stringValue }, page?["total_items"]?.intValue)
    }

    func mixedMembers(_ count: Int) -> [MailchimpWorld.Member] {
        (0..<count).map { index in
            let status = ["subscribed", "unsubscribed", "cleaned", "archived"][index % 4]
            return .init(email: "p\(index)@freddiesjokes.com", status: status, tags: index % 3 == 0 ? ["Paged"] : [])
        }
    }

    @Test(arguments: ["", "status=unsubscribed&", "status=cleaned&"])
    func sequentialAndScatteredPagesAreSlicesOfOneOrder(_ filter: String) async throws {
        let fixture = try MailchimpFixture(members: mixedMembers(90))
        let base = "/3.0/lists/\(Self.list)/members?\(filter)fields=members.email_address,total_items"
        let whole = await emails(fixture, base + "&count=1000")
        var sequential: [String] = []
        for offset in stride(from: 0, to: whole.emails.count + 7, by: 7) {
            let page = await emails(fixture, base + "&count=7&offset=\(offset)")
            #expect(page.total == whole.total)
            sequential += page.emails
        }
        #expect(sequential == whole.emails)
        for offset in [14, 3, 0, 21, 20, 13] {
            let page = await emails(fixture, base + "&count=7&offset=\(offset)")
            #expect(page.emails == Array(whole.emails.dropFirst(offset).prefix(7)))
        }
    }

    @Test func aWriteBetweenPagesGivesTheOffsetPageOfTheNewState() async throws {
        let fixture = try MailchimpFixture(members: mixedMembers(40))
        let base = "/3.0/lists/\(Self.list)/members?status=subscribed&fields=members.email_address,total_items"
        _ = await emails(fixture, base + "&count=4&offset=0")
        for index in 0..<6 {
            let added = await fixture.send("POST", "/3.0/lists/\(Self.list)/members", ["email_address": .string("late\(index)@freddiesjokes.com"), "status": "subscribed"])
            #expect(added.status == 200)
        }
        let whole = await emails(fixture, base + "&count=1000")
        let next = await emails(fixture, base + "&count=4&offset=4")
        #expect(next.emails == Array(whole.emails.dropFirst(4).prefix(4)))
        #expect(next.total == 16)
    }

    @Test func segmentMemberPagesAreStableForSmallAndLargeSegments() async throws {
        let fixture = try MailchimpFixture(members: mixedMembers(60))
        let tag = try #require(fixture.fake.read { db in try MailchimpQueries.tag(db, list: Self.list, name: "Paged")?.id })
        let base = "/3.0/lists/\(Self.list)/segments/\(tag)/members?include_cleaned=true&fields=members.email_address,total_items"
        let whole = await emails(fixture, base + "&count=1000")
        #expect(whole.total == 15)  // 20 tagged, of which 5 unsubscribed are left out
        var sequential: [String] = []
        for offset in stride(from: 0, to: 20, by: 6) { sequential += await emails(fixture, base + "&count=6&offset=\(offset)").emails }
        #expect(sequential == whole.emails)
    }

    @Test func largeSegmentIsPagedInMemberOrder() async throws {
        let size = TagRoutes.smallSegment + 30
        let members = (0..<size).map { MailchimpWorld.Member(email: "big\($0)@freddiesjokes.com", tags: ["Big"]) }
        let fixture = try MailchimpFixture(members: members + [.init(email: "untagged@freddiesjokes.com")])
        let tag = try #require(fixture.fake.read { db in try MailchimpQueries.tag(db, list: Self.list, name: "Big")?.id })
        let segment = "/3.0/lists/\(Self.list)/segments/\(tag)/members?fields=members.email_address,total_items&count=1000"
        let listing = "/3.0/lists/\(Self.list)/members?fields=members.email_address,total_items&count=1000"
        var fromSegment: [String] = []
        var fromListing: [String] = []
        for offset in stride(from: 0, to: size + 1, by: 1000) {
            let page = await emails(fixture, segment + "&offset=\(offset)")
            #expect(page.total == Int64(size))
            fromSegment += page.emails
            fromListing += await emails(fixture, listing + "&offset=\(offset)").emails
        }
        #expect(fromSegment == fromListing.filter { $0 != "untagged@freddiesjokes.com" })
        let scattered = await emails(fixture, segment.replacingOccurrences(of: "count=1000", with: "count=5") + "&offset=7777")
        #expect(scattered.emails == Array(fromSegment.dropFirst(7777).prefix(5)))
    }
}

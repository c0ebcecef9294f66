import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMixpanel

@Suite(.timeLimit(.minutes(2))) struct MTUTests {
    static let march = SimTime(iso8601: "2026-03-10T10:00:00Z")!

    func event(_ name: String, _ id: String, at time: SimTime = MTUTests.march, extra: [String: JSONValue] = [:]) -> MixpanelWorld.Event {
        .init(name: name, time: time, properties: extra.merging(["distinct_id": .string(id)]) { a, _ in a })
    }

    @Test func countsUsersWithAQualifyingEventInTheMonth() throws {
        let fake = try Fixture.fake(events: [
            event("Visit", "a"), event("Visit", "a"), event("Visit", "b", at: SimTime(iso8601: "2026-02-28T23:59:59Z")!),
            event("$identify", "c", extra: ["$identified_id": "c", "$anon_id": .string(Fixture.anon2)]),
            event("Visit", ""), event("$campaign_delivery", "d"),
        ])
        let report = try fake.mtu(month: "2026-03")
        #expect(report.users == ["a"])
        #expect(report.excludedEvents == 2)
        #expect(try fake.mtu(month: "2026-02").users == ["b"])
    }

    @Test func mailchimpEventsAreExemptOnlyWithTheirSource() throws {
        let mailchimp: [String: JSONValue] = ["$source": "mailchimp"]
        let fake = try Fixture.fake(events: [
            event("Mailchimp - Sent To", "a", extra: mailchimp),
            event("Mailchimp Campaign - Open", "b", extra: mailchimp),
            event("Mailchimp - Bounced", "c"),
            event("Mailchimp - Opened Campaign", "d", extra: mailchimp),
        ])
        #expect(try fake.mtu(month: "2026-03").users == ["c"])
        let loose = try Fixture.fake(events: [event("Mailchimp - Bounced", "c")], mtu: MTUSettings(requireSourceForExemption: false))
        #expect(try loose.mtu(month: "2026-03").users == [])
        let engaged = try Fixture.fake(events: [event("Mailchimp - Opened Campaign", "d", extra: mailchimp),
                                                event("Mailchimp - Sent To", "a", extra: mailchimp)],
                                       mtu: MTUSettings(exemptEngagementEvents: false))
        #expect(try engaged.mtu(month: "2026-03").users == ["d"])
        let pageOnly = try Fixture.fake(events: [event("Mailchimp Campaign - Open", "b", extra: mailchimp)],
                                        mtu: MTUSettings(mailchimpSpellings: .partnerPage))
        #expect(try pageOnly.mtu(month: "2026-03").users == ["b"])
    }

    @Test func aMidMonthMergeCountsOnceAndEarlierMonthsKeepTheirIds() throws {
        let april = SimTime(iso8601: "2026-04-02T00:00:00Z")!
        let events = [
            event("Visit", Fixture.anon1, at: Self.march), event("Visit", "u1", at: Self.march.adding(.days(1))),
            .init(name: "$identify", time: Self.march.adding(.days(2)), properties: ["$identified_id": "u1", "$anon_id": .string(Fixture.anon1)]),
            event("Visit", Fixture.anon2, at: SimTime(iso8601: "2026-02-10T00:00:00Z")!),
            .init(name: "$identify", time: april, properties: ["$identified_id": "u1", "$anon_id": .string(Fixture.anon2)]),
        ]
        let fake = try Fixture.fake(events: events, clock: VirtualClock(start: april.adding(.days(1))))
        #expect(try fake.mtu(month: "2026-03").users == ["u1"])
        #expect(try fake.mtu(month: "2026-02").users == [Fixture.anon2])
        let now = try Fixture.fake(events: events, mtu: MTUSettings(userBasis: .canonicalNow), clock: VirtualClock(start: april.adding(.days(1))))
        #expect(try now.mtu(month: "2026-02").users == ["u1"])
        let raw = try Fixture.fake(events: events, mtu: MTUSettings(userBasis: .distinctIDAsSent), clock: VirtualClock(start: april.adding(.days(1))))
        #expect(try raw.mtu(month: "2026-03").count == 2)
    }

    @Test func ingestionTimeBasisUsesWhenEventsArrived() async throws {
        let fake = try Fixture.fake(mtu: MTUSettings(monthBasis: .ingestionTime))
        let february = SimTime(iso8601: "2026-02-20T00:00:00Z")!
        _ = await Fixture.importJSON(fake, [["event": "Visit", "properties": ["distinct_id": "a", "time": .int(february.seconds), "$insert_id": "i1"]]])
        #expect(try fake.mtu(month: "2026-03").users == ["a"])
        #expect(try fake.mtu(month: "2026-02").users == [])
    }

    @Test func guardrailBillsEventsOverAThousandPerUser() throws {
        let fake = try Fixture.fake(events: (0..<2500).map { event("Visit", "a", at: Self.march.adding(.seconds(Int64($0)))) })
        let report = try fake.mtu(month: "2026-03")
        #expect(report.guardrailApplied)
        #expect(report.billable == 2)
    }

    @Test func simRouteAnswersTheReport() async throws {
        let fake = try Fixture.fake(events: [event("Visit", "a")])
        let response = await fake.handle(Fixture.request("GET", "https://mixpanel.com/_sim/mtu?month=2026-03", auth: nil))
        #expect(response.json?["mtu"] == 1)
        let bad = await fake.handle(Fixture.request("GET", "https://mixpanel.com/_sim/mtu?month=March", auth: nil))
        #expect(bad.status == 400)
    }
}

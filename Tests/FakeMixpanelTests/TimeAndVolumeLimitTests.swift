import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMixpanel

/// The limits that make time cost: whether an open session's pages count as queries (a
/// documented switch), the ingestion volume per rolling minute, and the service-time model.
@Suite(.timeLimit(.minutes(2))) struct TimeAndVolumeLimitTests {
    static let cohort = MixpanelWorld.Cohort(id: 1, name: "All", definition: .property(name: "segment", op: .equals, value: "in"))
    static let profiles = (0..<70).map { i in
        MixpanelWorld.Profile(distinctID: String(format: "u%03d", i),
                              properties: ["segment": "in", "$email": .string("user\(i)@example.com")])
    }

    /// Pages through cohort 1 one profile a page; returns every page's status, stopping at the first refusal.
    static func pageThrough(_ fake: FakeMixpanel, pages: Int) async -> [Int] {
        var statuses: [Int] = []
        var session: String?
        for page in 0..<pages {
            var form = "filter_by_cohort=%7B%22id%22%3A1%7D&page=\(page)"
            if let session { form += "&session_id=" + URLCoding.encodeComponent(session) }
            let response = await fake.handle(Fixture.request("POST", "https://mixpanel.com/api/query/engage?project_id=7",
                                                             contentType: "application/x-www-form-urlencoded", body: form))
            statuses.append(response.status)
            guard response.status == 200 else { break }
            session = response.json?["session_id"]?.stringValue
        }
        return statuses
    }

    @Test func pagesOfAnOpenSessionCountAsQueriesByDefault() async throws {
        let fake = try Fixture.fake(profiles: Self.profiles, cohorts: [Self.cohort], queryRateLimit: true, pageSize: 1)
        let statuses = await Self.pageThrough(fake, pages: 70)
        #expect(statuses.count == 61)
        #expect(statuses.prefix(60).allSatisfy { $0 == 200 })
        #expect(statuses.last == 429)
    }

    @Test func withSessionPagesNotCountingOnlyTheOpeningQueryIsMetered() async throws {
        let fake = try Fixture.fake(profiles: Self.profiles, cohorts: [Self.cohort], queryRateLimit: true,
                                    sessionPagesCount: false, pageSize: 1)
        let statuses = await Self.pageThrough(fake, pages: 70)
        #expect(statuses == Array(repeating: 200, count: 70))
    }

    @Test func ingestionPastTheVolumeOfTheRollingMinuteIs429UntilTheMinutePasses() throws {
        let meter = IngestionMeter(bytesPerMinute: 100)
        let start = Fixture.start
        let request = Fixture.request("POST", "https://api.mixpanel.com/import?project_id=7", contentType: "application/json",
                                      body: String(repeating: " ", count: 58) + "[]")
        #expect(meter.refusal(request, family: .importAPI, at: start) == nil)
        let refused = try #require(meter.refusal(request, family: .importAPI, at: start.adding(.seconds(30))))
        #expect(refused.status == 429)
        #expect(String(decoding: refused.body, as: UTF8.self).contains(IngestionMeter.message))
        #expect(meter.refusal(request, family: .importAPI, at: start.adding(.seconds(61))) == nil)
    }

    /// "2 GB" read in decimal units, the stricter reading (2 GiB would allow 7 % more).
    @Test func theRealIngestionLimitIsTwoGigabytesAMinute() {
        #expect(IngestionMeter().limit == 2_000_000_000)
    }

    @Test func aRequestTakesItsModelledServiceTimeOnTheVirtualClock() async throws {
        let simulation = Simulation(start: Fixture.start)
        let latency = LatencyModel(rules: [.init(path: "/api/2.0/cohorts/list", base: .seconds(2), jitter: 0)])
        let fake = try Fixture.fake(latency: latency, clock: simulation.clock)
        let elapsed = try await simulation.run {
            let before = simulation.clock.now
            let status = await fake.handle(Fixture.request("GET", "https://mixpanel.com/api/2.0/cohorts/list?project_id=7")).status
            #expect(status == 200)
            return simulation.clock.now.milliseconds - before.milliseconds
        }
        #expect(elapsed == 2_000)
    }
}

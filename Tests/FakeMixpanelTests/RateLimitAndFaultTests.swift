import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMixpanel

@Suite(.timeLimit(.minutes(2))) struct RateLimitAndFaultTests {
    func cohorts(_ fake: FakeMixpanel) async -> HTTPResponse {
        await fake.handle(Fixture.request("GET", "https://mixpanel.com/api/2.0/cohorts/list?project_id=7"))
    }

    @Test func queriesAreUnlimitedByDefault() async throws {
        let fake = try Fixture.fake()
        for _ in 0..<61 { #expect(await cohorts(fake).status == 200) }
    }

    @Test func the61stQueryInAnHourIs429WithTheObservedText() async throws {
        let clock = VirtualClock(start: Fixture.start)
        let fake = try Fixture.fake(queryRateLimit: true, clock: clock)
        for _ in 0..<60 { #expect(await cohorts(fake).status == 200) }
        let refused = await cohorts(fake)
        #expect(refused.status == 429)
        #expect(refused.json?["error"]?.stringValue?.hasPrefix(
            "Query rate limit exceeded for project_id: 7. 1/5 queries running concurrently and 61/60 queries running in the last hour.") == true)
        #expect(await fake.handle(Fixture.request("POST", "https://api.mixpanel.com/import?project_id=7", contentType: "application/json",
                                                  body: "[]")).status != 429)
    }

    @Test func aSixthConcurrentQueryIs429() async throws {
        let clock = VirtualClock(start: Fixture.start)
        let fake = try Fixture.fake(queryRateLimit: true, faults: [FaultRule(path: "/api/2.0/cohorts/list", effect: .delay(.seconds(10)), times: 5)],
                                    clock: clock)
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<5 { group.addTask { await cohorts(fake).status } }
            while clock.sleeperCount < 5 { await Task.yield() }
            let sixth = await cohorts(fake).status
            while clock.nextDeadline != nil { _ = clock.advanceToNextDeadline() }
            var all = [sixth]
            for await status in group { all.append(status) }
            return all
        }
        #expect(statuses.first == 429)
        #expect(statuses.dropFirst().allSatisfy { $0 == 200 })
    }

    @Test func faultStatusesUseEachAPIsErrorBody() async throws {
        let fake = try Fixture.fake(faults: [FaultRule(path: "/api/2.0/engage", effect: .status(500)),
                                             FaultRule(path: "/import", effect: .status(429))])
        let query = await fake.handle(Fixture.request("GET", "https://mixpanel.com/api/2.0/engage?project_id=7"))
        #expect(query.status == 500)
        #expect(query.json?["request"] == "/api/2.0/engage?project_id=7")
        #expect(query.json?["error"] == "Internal Server Error")
        let imported = await Fixture.importJSON(fake, [])
        #expect(imported.json == ["code": 429, "error": "Project exceeded rate limits. Please retry the request with exponential backoff.",
                                  "status": "Too Many Requests"])
    }
}

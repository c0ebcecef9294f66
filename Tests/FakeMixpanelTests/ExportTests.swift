import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMixpanel

@Suite(.timeLimit(.minutes(2))) struct ExportTests {
    func export(_ fake: FakeMixpanel, _ query: String) async -> [JSONValue] {
        let response = await fake.handle(Fixture.request("GET", "https://data.mixpanel.com/api/2.0/export?project_id=7&" + query))
        return response.bodyText.split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
    }

    @Test func exportsEventsInTheDateRangeWithCanonicalIdsAndProcessingTime() async throws {
        let day = SimTime(iso8601: "2026-03-10T08:00:00Z")!
        let fake = try Fixture.fake(events: [
            .init(name: "Visit", time: day, properties: ["distinct_id": .string(Fixture.anon1), "$insert_id": "v1", "plan": "pro"]),
            .init(name: "Buy", time: day.adding(.days(1)), properties: ["distinct_id": "u1"]),
            .init(name: "Visit", time: day.adding(.days(3)), properties: ["distinct_id": "u1"]),
        ])
        try fake.track(event: "$identify", properties: ["$identified_id": "u1", "$anon_id": .string(Fixture.anon1)])
        let lines = await export(fake, "from_date=2026-03-10&to_date=2026-03-11")
        #expect(lines.map { $0["event"] } == ["Visit", "Buy"])
        let first = lines[0]["properties"]
        #expect(first?["distinct_id"] == "u1")
        #expect(first?["$distinct_id_before_identity"] == .string(Fixture.anon1))
        #expect(first?["time"] == .int(day.seconds))
        #expect(first?["mp_processing_time_ms"] == .int(day.milliseconds))
        #expect(first?["$insert_id"] == "v1")
        #expect(first?["plan"] == "pro")
        let visits = await export(fake, "from_date=2026-03-01&to_date=2026-03-31&event=" + URLCoding.encodeComponent(#"["Visit"]"#))
        #expect(visits.count == 2)
    }

    @Test func exportNeedsDatesAndCredentials() async throws {
        let fake = try Fixture.fake()
        let missing = await fake.handle(Fixture.request("GET", "https://data.mixpanel.com/api/2.0/export?project_id=7"))
        #expect(missing.status == 400)
        let wrong = await fake.handle(Fixture.request("GET", "https://data.mixpanel.com/api/2.0/export?project_id=7&from_date=2026-03-01&to_date=2026-03-02",
                                                      auth: "sa:bad"))
        #expect(wrong.status == 401)
    }
}

import Foundation
import SimCore
import SimHTTP
import Testing
@testable import FakeMixpanel

/// What a schema-discovering reader (the Airbyte Mixpanel source) calls: engage properties, top
/// event properties, annotations, funnels; `$last_seen` in `where`; and loud refusals.
@Suite(.timeLimit(.minutes(1))) struct ConnectorEndpointTests {
    static let profiles: [MixpanelWorld.Profile] = [
        .init(distinctID: "early", properties: ["$email": "early@freddiesjokes.com", "$last_seen": "2026-01-10T08:00:00Z"]),
        .init(distinctID: "late", properties: ["$email": "late@freddiesjokes.com", "plan": "pro", "$last_seen": "2026-03-01T08:00:00Z"]),
        .init(distinctID: "unseen", properties: ["$email": "unseen@freddiesjokes.com", "visits": 3]),
    ]

    func get(_ fake: FakeMixpanel, _ path: String) async -> HTTPResponse {
        await fake.handle(Fixture.request("GET", "https://mixpanel.com" + path))
    }

    @Test func engagePropertiesNameEveryProfilePropertyWithCountAndType() async throws {
        let fake = try Fixture.fake(profiles: Self.profiles)
        let results = await get(fake, "/api/query/engage/properties?project_id=7").json?["results"]
        #expect(results?["$email"]?["count"] == 3 && results?["$email"]?["type"] == "string")
        #expect(results?["plan"]?["count"] == 1)
        #expect(results?["visits"]?["type"] == "number")
        #expect(results?["$last_seen"]?["type"] == "datetime" && results?["$last_seen"]?["count"] == 3)
        #expect(await fake.handle(Fixture.request("GET", "https://mixpanel.com/api/query/engage/properties?project_id=7", auth: nil)).status == 401)
    }

    @Test func topEventPropertiesCountTheEventsCarryingEachProperty() async throws {
        let fake = try Fixture.fake(events: [
            .init(name: "Signup", time: Fixture.start, properties: ["distinct_id": "a", "plan": "pro", "$insert_id": "i1"]),
            .init(name: "Signup", time: Fixture.start, properties: ["distinct_id": "b", "$insert_id": "i2"]),
            .init(name: "Other", time: Fixture.start, properties: ["distinct_id": "b", "color": "red", "$insert_id": "i3"]),
        ])
        let top = await get(fake, "/api/query/events/properties/top?project_id=7&event=Signup").json
        #expect(top?["plan"]?["count"] == 1, "\(String(describing: top))")
        #expect(top?["color"] == nil)
        // Without `event` (as the Airbyte connector's discover asks), every event counts.
        let all = await get(fake, "/api/query/events/properties/top?project_id=7").json
        #expect(all?["color"]?["count"] == 1 && all?["plan"]?["count"] == 1, "\(String(describing: all))")
    }

    @Test func annotationsAndFunnelsAnswerEmptyForTheProject() async throws {
        let fake = try Fixture.fake()
        let annotations = await get(fake, "/api/app/projects/7/annotations?fromDate=2026-01-01&toDate=2026-03-01")
        #expect(annotations.status == 200 && annotations.json?["results"] == [])
        #expect(await get(fake, "/api/app/projects/8/annotations").status == 403)
        #expect(await get(fake, "/api/query/funnels/list?project_id=7").json == [])
        #expect(await get(fake, "/api/query/funnels?project_id=7&funnel_id=1").status == 400)
    }

    @Test func whereOnLastSeenKeepsOnlyProfilesSeenInTheWindow() async throws {
        let fake = try Fixture.fake(profiles: Self.profiles)
        let expression = URLCoding.encodeComponent(#"properties["$last_seen"] >= "2026-02-01T00:00:00""#)
        let response = await get(fake, "/api/query/engage?project_id=7&where=\(expression)")
        let ids = response.json?["results"]?.arrayValue?.compactMap { $0["$distinct_id"]?.stringValue }.sorted()
        // "unseen" was stored at the fake's start (2026-03-15) since the world gave no $last_seen.
        #expect(ids == ["late", "unseen"], "\(response.bodyText)")
        let early = await fake.handle(Fixture.request("GET", "https://mixpanel.com/api/2.0/engage?project_id=7&distinct_id=early"))
        #expect(early.json?["results"]?.arrayValue?.first?["$properties"]?["$last_seen"] == "2026-01-10T08:00:00", "\(early.bodyText)")
    }

    @Test func aJSONBodyOnEngageIsHonouredNotIgnored() async throws {
        let fake = try Fixture.fake(profiles: Self.profiles)
        let response = await fake.handle(Fixture.request("POST", "https://mixpanel.com/api/query/engage?project_id=7",
                                                         contentType: "application/json", body: #"{"distinct_ids": ["late"], "page": 0}"#))
        #expect(response.status == 200, "\(response.bodyText)")
        #expect(response.json?["results"]?.arrayValue?.compactMap { $0["$distinct_id"]?.stringValue } == ["late"], "\(response.bodyText)")
    }

    @Test(arguments: [#"["late"]"#, #"{"distinct_id": "#])
    func aJSONBodyThatIsNotOneObjectIsRefused(_ body: String) async throws {
        let fake = try Fixture.fake(profiles: Self.profiles)
        let response = await fake.handle(Fixture.request("POST", "https://mixpanel.com/api/query/engage?project_id=7",
                                                         contentType: "application/json", body: body))
        #expect(response.status == 400, "\(response.bodyText)")
    }

    @Test func anUnknownEngageParameterIsRefusedByName() async throws {
        let fake = try Fixture.fake(profiles: Self.profiles)
        let response = await get(fake, "/api/query/engage?project_id=7&behaviors=x")
        #expect(response.status == 400)
        #expect(response.bodyText.contains("behaviors"))
    }
}

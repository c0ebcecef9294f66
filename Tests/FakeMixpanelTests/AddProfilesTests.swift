import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMixpanel

/// `addProfiles` seeds profiles exactly as a world's profiles are seeded at init.
@Suite(.timeLimit(.minutes(2))) struct AddProfilesTests {
    static let cohorts: [MixpanelWorld.Cohort] = [
        .init(id: 1, name: "In", definition: .property(name: "segment", op: .equals, value: "in")),
        .init(id: 2, name: "Not in", definition: .not(.property(name: "segment", op: .equals, value: "in"))),
    ]

    static let profiles: [MixpanelWorld.Profile] = (0..<2_300).map(profile) + [.init(distinctID: "u5", properties: ["segment": "in", "replaced": true])]

    static func profile(_ i: Int) -> MixpanelWorld.Profile {
        guard i % 7 != 0 else { return .init(distinctID: "u\(i)", properties: [:]) }
        let segment: JSONValue = i % 10 == 9 ? "out" : "in"
        return .init(distinctID: "u\(i)", properties: ["segment": segment, "$email": .string("user\(i)@example.com"), "n": .double(Double(i) / 4)])
    }

    static let queries = [
        "filter_by_cohort=%7B%22id%22%3A1%7D&include_all_users=false&output_properties=" + URLCoding.encodeComponent(#"["$email"]"#),
        "filter_by_cohort=%7B%22id%22%3A2%7D",
        "where=" + URLCoding.encodeComponent(#"properties["n"] > 100.5"#),
        "distinct_ids=" + URLCoding.encodeComponent(#"["u5","u7","nobody"]"#),
        "",
    ]

    static func pages(_ fake: FakeMixpanel) async throws -> [Data] {
        var bodies: [Data] = []
        for query in queries {
            for page in 0..<3 {
                let session = page == 0 ? "" : "&session_id=" + (bodies.last.flatMap { try? JSONValue(parsing: $0) }?["session_id"]?.stringValue ?? "")
                let response = await fake.handle(Fixture.request("POST", "https://mixpanel.com/api/query/engage?project_id=7",
                                                                 contentType: "application/x-www-form-urlencoded",
                                                                 body: query + session + "&page=\(page)"))
                #expect(response.status == 200)
                bodies.append(response.body)
            }
        }
        let list = await fake.handle(Fixture.request("POST", "https://mixpanel.com/api/query/cohorts/list?project_id=7"))
        return bodies + [list.body]
    }

    @Test func chunkedSeedingAnswersLikeSeedingAtInit() async throws {
        let atInit = try Fixture.fake(profiles: Self.profiles, cohorts: Self.cohorts)
        let chunked = try Fixture.fake(cohorts: Self.cohorts)
        for start in stride(from: 0, to: Self.profiles.count, by: 500) {
            try chunked.addProfiles(Array(Self.profiles[start..<min(Self.profiles.count, start + 500)]))
        }
        #expect(try await Self.pages(chunked) == Self.pages(atInit))
    }

    @Test func addedProfilesReplaceRatherThanMerge() async throws {
        let fake = try Fixture.fake(profiles: [.init(distinctID: "a", properties: ["x": 1, "y": 2])])
        try fake.addProfiles([.init(distinctID: "a", properties: ["y": 3])])
        let profile = await Fixture.engage(fake, distinctID: "a")
        #expect(profile?["$properties"]?["x"] == nil)
        #expect(profile?["$properties"]?["y"] == 3)
        #expect(profile?["$properties"]?["$last_seen"] == .string(Fixture.start.naiveTimestamp))
    }
}

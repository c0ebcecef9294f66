import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMixpanel

@Suite(.timeLimit(.minutes(2))) struct IdentitySimplifiedTests {
    @Test func deviceOnlyEventsUseThePrefixedIdAndLinkOnFirstEventWithBoth() throws {
        let fake = try Fixture.fake(.simplified)
        #expect(try fake.track(event: "Visit", properties: ["$device_id": "D1"]).distinctID == "$device:D1")
        let link = try fake.track(event: "Login", properties: ["$device_id": "D1", "$user_id": "U1"])
        #expect(link.distinctID == "U1")
        #expect(link.identity == .merged(canonical: "U1"))
        #expect(fake.canonical("$device:D1") == "U1")
        #expect(try fake.knownUsers()["U1"]?.events["Visit"]?.count == 1)
    }

    @Test func returningUserOnANewDeviceJoinsTheSameCluster() throws {
        let fake = try Fixture.fake(.simplified)
        try fake.track(event: "Login", properties: ["$device_id": "D1", "$user_id": "U1"])
        try fake.track(event: "Visit", properties: ["$device_id": "D2"])
        try fake.track(event: "Login", properties: ["$device_id": "D2", "$user_id": "U1"])
        #expect(Set(fake.identityCluster(of: "U1")) == ["U1", "$device:D1", "$device:D2"])
    }

    @Test func aSecondUserOnALinkedDeviceDoesNotMergeByDefault() async throws {
        let fake = try Fixture.fake(.simplified)
        try fake.track(event: "Login", properties: ["$device_id": "D1", "$user_id": "U1"])
        let second = try fake.track(event: "Login", properties: ["$device_id": "D1", "$user_id": "U2"])
        #expect(second.distinctID == "U2")
        guard case .failed = second.identity else { Issue.record("expected a refused link"); return }
        #expect(fake.canonical("$device:D1") == "U1")
        let export = await fake.handle(Fixture.request("GET", "https://data.mixpanel.com/api/2.0/export?project_id=7&from_date=2026-03-15&to_date=2026-03-15"))
        let last = try JSONValue(parsing: String(export.bodyText.split(separator: "\n").last!))
        #expect(last["properties"]?["distinct_id"] == "U2")
        #expect(last["properties"]?["$identity_failure_reason"] != nil)
    }

    @Test func relinkSwitchMovesTheDevice() throws {
        let fake = try Fixture.fake(.simplified, identity: IdentitySettings(deviceConflict: .relink))
        try fake.track(event: "Login", properties: ["$device_id": "D1", "$user_id": "U1"])
        #expect(try fake.track(event: "Login", properties: ["$device_id": "D1", "$user_id": "U2"]).identity == .merged(canonical: "U2"))
        #expect(fake.canonical("$device:D1") == "U2")
    }

    @Test func specialEventsAreStoredButNeverMerge() throws {
        let fake = try Fixture.fake(.simplified)
        let result = try fake.track(event: "$identify", properties: ["$identified_id": "U1", "$anon_id": .string(Fixture.anon1)])
        #expect(result.accepted)
        #expect(result.identity == nil)
        #expect(fake.canonical(Fixture.anon1) == Fixture.anon1)
        try fake.track(event: "$create_alias", properties: ["distinct_id": "U1", "alias": "A"])
        #expect(fake.canonical("A") == "A")
    }

    @Test func plainDistinctIdGetsUserOrDeviceProperty() async throws {
        let fake = try Fixture.fake(.simplified)
        try fake.track(event: "A", properties: ["distinct_id": "$device:D9"])
        try fake.track(event: "B", properties: ["distinct_id": "U9"])
        let export = await fake.handle(Fixture.request("GET", "https://data.mixpanel.com/api/2.0/export?project_id=7&from_date=2026-03-15&to_date=2026-03-15"))
        let lines = try export.bodyText.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
        #expect(lines[0]["properties"]?["$device_id"] == "D9")
        #expect(lines[1]["properties"]?["$user_id"] == "U9")
    }

    @Test func deviceProfileStaysOrphanedByDefault() async throws {
        let fake = try Fixture.fake(.simplified, profiles: [.init(distinctID: "$device:D1", properties: ["$email": "d@example.com"])],
                                    cohorts: [.init(id: 1, name: "Emails", definition: .property(name: "$email", op: .isSet, value: nil))])
        try fake.track(event: "Login", properties: ["$device_id": "D1", "$user_id": "U1"])
        #expect(try fake.members(ofCohort: 1) == ["$device:D1"])
        let orphan = await Fixture.engage(fake, distinctID: "$device:D1")
        #expect(orphan?["$distinct_id"] == "$device:D1")
        let user = await Fixture.engage(fake, distinctID: "U1")
        #expect(user?["$properties"] == [:])
    }

    @Test func deviceProfileDisappearsWhenSwitched() throws {
        let fake = try Fixture.fake(.simplified, profiles: [.init(distinctID: "$device:D1", properties: ["$email": "d@example.com"])],
                                    cohorts: [.init(id: 1, name: "Emails", definition: .property(name: "$email", op: .isSet, value: nil))],
                                    identity: IdentitySettings(deviceProfiles: .hide))
        try fake.track(event: "Login", properties: ["$device_id": "D1", "$user_id": "U1"])
        #expect(try fake.members(ofCohort: 1) == [])
    }
}

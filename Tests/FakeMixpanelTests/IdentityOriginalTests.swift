import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMixpanel

@Suite(.timeLimit(.minutes(2))) struct IdentityOriginalTests {
    @Test func identifyMergesAnonymousIntoUserAndRetroactivelyAttributesEvents() throws {
        let fake = try Fixture.fake()
        try fake.track(event: "Visit", properties: ["distinct_id": .string(Fixture.anon1)])
        let result = try fake.track(event: "$identify", properties: ["$identified_id": "u1", "$anon_id": .string(Fixture.anon1)])
        #expect(result.identity == .merged(canonical: "u1"))
        #expect(fake.canonical(Fixture.anon1) == "u1")
        #expect(fake.identityCluster(of: "u1") == ["u1", Fixture.anon1])
        #expect(try fake.knownUsers()["u1"]?.events["Visit"]?.count == 1)
        #expect(try fake.knownUsers()[Fixture.anon1] == nil)
    }

    @Test(arguments: [
        ("u1", "u1", "errSameIDs"),
        ("u1", "not-a-uuid", "errAnonDistinctIdNonGUIDForm"),
        ("u1", "3f0c6a52-8d1e-1b7a-9c2d-1e5f7a9b3c4d", "errAnonDistinctIdNonGUIDForm"),
    ])
    func identifyChecksFailWithTheirReason(identified: String, anon: String, reason: String) throws {
        let fake = try Fixture.fake()
        let result = try fake.track(event: "$identify", properties: ["$identified_id": .string(identified), "$anon_id": .string(anon)])
        guard case .failed(let got, _) = result.identity else { Issue.record("expected a failure"); return }
        #expect(got == reason)
        #expect(fake.canonical(anon) == anon)
    }

    @Test func anonAlreadyMergedWithAnIdentifiedIdIsRefused() throws {
        let fake = try Fixture.fake()
        try fake.track(event: "$identify", properties: ["$identified_id": "u1", "$anon_id": .string(Fixture.anon1)])
        let result = try fake.track(event: "$identify", properties: ["$identified_id": "u2", "$anon_id": .string(Fixture.anon1)])
        guard case .failed(let reason, _) = result.identity else { Issue.record("expected a failure"); return }
        #expect(reason == "errAnonDistinctIdAssignedAlready")
        #expect(fake.canonical("u2") == "u2")
    }

    @Test func reidentifyingTheSamePairIsANoOpByDefaultAndAnErrorWhenSwitched() throws {
        let quiet = try Fixture.fake()
        try quiet.track(event: "$identify", properties: ["$identified_id": "u1", "$anon_id": .string(Fixture.anon1)])
        #expect(try quiet.track(event: "$identify", properties: ["$identified_id": "u1", "$anon_id": .string(Fixture.anon1)]).identity == .unchanged)
        let strict = try Fixture.fake(identity: IdentitySettings(reidentify: .assignedAlready))
        try strict.track(event: "$identify", properties: ["$identified_id": "u1", "$anon_id": .string(Fixture.anon1)])
        let again = try strict.track(event: "$identify", properties: ["$identified_id": "u1", "$anon_id": .string(Fixture.anon1)])
        guard case .failed(let reason, _) = again.identity else { Issue.record("expected a failure"); return }
        #expect(reason == "errAnonDistinctIdAssignedAlready")
    }

    @Test func failedMergeIsStoredWithFailureProperties() async throws {
        let fake = try Fixture.fake()
        try fake.track(event: "$identify", properties: ["$identified_id": "u1", "$anon_id": "x"])
        let response = await fake.handle(Fixture.request("GET", "https://data.mixpanel.com/api/2.0/export?project_id=7&from_date=2026-03-15&to_date=2026-03-15"))
        let line = try JSONValue(parsing: response.bodyText.trimmingWhitespace())
        #expect(line["properties"]?["$failure_reason"] == "errAnonDistinctIdNonGUIDForm")
        #expect(line["properties"]?["$failure_description"]?.stringValue?.isEmpty == false)
    }

    @Test func aliasMayBeUsedOnlyOnce() throws {
        let fake = try Fixture.fake()
        #expect(try fake.track(event: "$create_alias", properties: ["distinct_id": "u1", "alias": "u1@example.com"]).identity
                == .merged(canonical: "u1"))
        let again = try fake.track(event: "$create_alias", properties: ["distinct_id": "u2", "alias": "u1@example.com"])
        guard case .failed(let reason, _) = again.identity else { Issue.record("expected a failure"); return }
        #expect(reason == "errAliasAlreadyExists")
        #expect(fake.canonical("u1@example.com") == "u1")
    }

    @Test func clusterCapIs499ByDefaultAnd500WhenSwitched() throws {
        for (cap, expectFailure) in [(499, true), (500, false)] {
            let fake = try Fixture.fake(identity: IdentitySettings(maxClusterSize: cap))
            for n in 1..<499 { try fake.track(event: "$create_alias", properties: ["distinct_id": "u1", "alias": .string("a\(n)")]) }
            #expect(fake.identityCluster(of: "u1").count == 499)
            let result = try fake.track(event: "$create_alias", properties: ["distinct_id": "u1", "alias": "a499"])
            if case .failed(let reason, _) = result.identity { #expect(expectFailure && reason == "errManyIDs") } else { #expect(!expectFailure) }
        }
    }

    @Test func mergeJoinsTwoClustersOnlyThroughImport() async throws {
        let fake = try Fixture.fake()
        let time = Fixture.seconds(Fixture.start)
        let track = "data=" + URLCoding.encodeComponent(JSONValue.array([["event": "$merge", "properties": ["token": "tok", "$distinct_ids": ["u1", "u2"]]]]).canonicalText)
        _ = await fake.handle(Fixture.request("POST", "https://api.mixpanel.com/track", auth: nil, contentType: "application/x-www-form-urlencoded", body: track))
        #expect(fake.canonical("u2") == "u2")
        let response = await Fixture.importJSON(fake, [["event": "$merge", "properties": ["$distinct_ids": ["u1", "u2"], "time": time]]])
        #expect(response.status == 200)
        #expect(fake.canonical("u2") == "u1")
    }

    @Test func mergeNeedsExactlyTwoIds() async throws {
        let fake = try Fixture.fake()
        let response = await Fixture.importJSON(fake, [["event": "$merge", "properties": ["$distinct_ids": ["u1"]]]])
        #expect(response.status == 400)
        #expect(response.json?["failed_records"]?.arrayValue?.first?["field"] == "properties.$distinct_ids")
    }

    @Test(arguments: IdentitySettings.CanonicalChoice.allCases)
    func canonicalChoiceIsAMemberAndStable(choice: IdentitySettings.CanonicalChoice) throws {
        let fake = try Fixture.fake(identity: IdentitySettings(canonicalChoice: choice))
        try fake.track(event: "Visit", properties: ["distinct_id": .string(Fixture.anon1)])
        try fake.track(event: "$identify", properties: ["$identified_id": "u1", "$anon_id": .string(Fixture.anon1)])
        let canonical = fake.canonical("u1")
        #expect(canonical == fake.canonical(Fixture.anon1))
        switch choice {
        case .firstIdentified: #expect(canonical == "u1")
        case .oldest: #expect(canonical == Fixture.anon1)
        case .seeded: #expect([Fixture.anon1, "u1"].contains(canonical))
        }
    }

    @Test func profileUpdatesOnAnyIdApplyToTheCanonicalProfileOnly() async throws {
        let fake = try Fixture.fake(profiles: [.init(distinctID: Fixture.anon1, properties: ["$email": "anon@example.com"])])
        try fake.track(event: "$identify", properties: ["$identified_id": "u1", "$anon_id": .string(Fixture.anon1)])
        _ = try fake.applyProfileUpdates([["$token": "tok", "$distinct_id": .string(Fixture.anon1), "$set": ["$email": "u1@example.com"]]])
        let profile = await Fixture.engage(fake, distinctID: Fixture.anon1)
        #expect(profile?["$distinct_id"] == "u1")
        #expect(profile?["$properties"]?["$email"] == "u1@example.com")
        let listed = await fake.handle(Fixture.request("GET", "https://mixpanel.com/api/2.0/engage?project_id=7"))
        #expect(listed.json?["total"] == 1)
    }

    @Test func worldEventsGoThroughIdentityInTimeOrder() throws {
        let t0 = Fixture.start.adding(.days(-3))
        let fake = try Fixture.fake(events: [
            .init(name: "$identify", time: t0.adding(.hours(2)), properties: ["$identified_id": "u1", "$anon_id": .string(Fixture.anon1)]),
            .init(name: "Visit", time: t0, properties: ["distinct_id": .string(Fixture.anon1)]),
        ])
        #expect(fake.canonical(Fixture.anon1) == "u1")
        #expect(try fake.knownUsers()["u1"]?.events["Visit"]?.count == 1)
    }
}

@Suite(.timeLimit(.minutes(2))) struct WorldValidationTests {
    @Test func anInvalidWorldEventIsReportedNotDropped() throws {
        #expect(throws: InvalidWorldEvent.self) {
            try Fixture.fake(events: [.init(name: "$identify", time: Fixture.start, properties: ["distinct_id": "u1"])])
        }
    }

    @Test func worldEventsMayUseReservedIds() throws {
        let fake = try Fixture.fake(events: [.init(name: "Visit", time: Fixture.start, properties: ["distinct_id": "anon"])])
        #expect(try fake.knownUsers()["anon"] != nil)
    }
}

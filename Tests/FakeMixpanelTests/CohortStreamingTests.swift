import GRDB
import Testing
import SimCore
@testable import FakeMixpanel

/// Cohorts decided by profile properties alone are evaluated by streaming the profile table; the
/// result must be the general evaluation's, on a world that mixes every kind of user.
@Suite(.timeLimit(.minutes(2))) struct CohortStreamingTests {
    static let definitions: [CohortDefinition] = [
        .property(name: "segment", op: .equals, value: "in"),
        .property(name: "visits", op: .equals, value: .double(3)),
        .property(name: "visits", op: .greaterThan, value: 2),
        .property(name: "visits", op: .lessThan, value: .double(2.5)),
        .property(name: "$email", op: .isSet, value: nil),
        .property(name: "$email", op: .contains, value: "EXAMPLE"),
        .property(name: "groups", op: .contains, value: "beta"),
        .property(name: "naïve", op: .equals, value: "é"),
        .all([.property(name: "segment", op: .equals, value: "in"), .not(.property(name: "$email", op: .isSet, value: nil))]),
        .any([.property(name: "visits", op: .greaterThan, value: 10), .property(name: "groups", op: .contains, value: "beta")]),
    ]

    /// Profiles of every shape, an events-only user, a merged cluster (whose non-canonical
    /// profile is hidden) and an orphaned device profile.
    static func mixedWorld(_ settings: IdentitySettings) throws -> FakeMixpanel {
        let profiles: [MixpanelWorld.Profile] = [
            .init(distinctID: "a", properties: ["segment": "in", "$email": "a@example.com", "visits": 3]),
            .init(distinctID: "b", properties: ["segment": "out", "visits": .double(3.0), "groups": ["beta", "x"]]),
            .init(distinctID: "c", properties: ["segment": "in", "visits": .double(2.25), "note": "line\n\"quoted\" \\ \u{1}"]),
            .init(distinctID: "d", properties: [:]),
            .init(distinctID: "e", properties: ["segment": .null, "$email": .null, "nested": ["k": [1, 2, ["z": true]]]]),
            .init(distinctID: "f", properties: ["naïve": "e\u{301}", "segment": "IN", "visits": 11]),
            .init(distinctID: "g", properties: ["segment": "in", "$email": "G@EXAMPLE.COM", "groups": "beta-testers"]),
            .init(distinctID: "U1", properties: ["segment": "in"]),
            .init(distinctID: "$device:D1", properties: ["segment": "in", "$email": "d1@example.com"]),
            .init(distinctID: "$device:D2", properties: ["segment": "in", "visits": 20]),
        ]
        let fake = try Fixture.fake(.simplified, profiles: profiles,
                                    cohorts: definitions.enumerated().map { .init(id: Int64($0.offset + 1), name: "C\($0.offset)", definition: $0.element) },
                                    identity: settings)
        _ = try fake.track(event: "Login", properties: ["$device_id": "D1", "$user_id": "U1"])
        _ = try fake.track(event: "Visit", properties: ["distinct_id": "events-only"])
        return fake
    }

    @Test(arguments: [IdentitySettings(), IdentitySettings(deviceProfiles: .hide)])
    func streamedEvaluationEqualsTheGeneralEvaluation(_ settings: IdentitySettings) throws {
        let fake = try Self.mixedWorld(settings)
        for definition in Self.definitions {
            #expect(FakeMixpanel.isDecidedByProfiles(definition, now: Fixture.start), "\(definition)")
            let (streamed, general) = try fake.database.read { db in
                (try fake.streamedMembership(definition, db), try fake.evaluatedMembership(definition, db))
            }
            #expect(streamed == general, "\(definition)")
        }
    }

    @Test func definitionsThatMatchUsersWithoutProfilesUseTheGeneralEvaluation() {
        let profileOnly = CohortDefinition.property(name: "segment", op: .equals, value: "in")
        for definition: CohortDefinition in [.not(profileOnly), .property(name: "segment", op: .isNotSet, value: nil),
                                             .property(name: "segment", op: .notEquals, value: "out"),
                                             .ids(["a"]), .did(event: "Visit", atLeast: 1, withinDays: 7),
                                             .all([profileOnly, .did(event: "Visit", atLeast: 1, withinDays: 7)])] {
            #expect(!FakeMixpanel.isDecidedByProfiles(definition, now: Fixture.start), "\(definition)")
        }
    }

    @Test func membershipIsCachedUntilTheNextWrite() throws {
        let fake = try Self.mixedWorld(IdentitySettings())
        let before = try #require(try fake.members(ofCohort: 1))
        #expect(try fake.members(ofCohort: 1) == before)
        _ = try fake.applyProfileUpdates([["$token": "tok", "$distinct_id": "b", "$set": ["segment": "in"]]])
        #expect(try fake.members(ofCohort: 1) == (before + ["b"]).sorted())
        #expect(try fake.members(ofCohort: 99) == nil)
    }

    @Test func membershipFollowsVirtualTimeForBehaviouralCohorts() throws {
        let clock = VirtualClock(start: Fixture.start)
        let fake = try Fixture.fake(.original, cohorts: [.init(id: 1, name: "Recent", definition: .did(event: "Visit", atLeast: 1, withinDays: 1))],
                                    clock: clock)
        _ = try fake.track(event: "Visit", properties: ["distinct_id": "u1"])
        #expect(try fake.members(ofCohort: 1) == ["u1"])
        clock.set(Fixture.start.adding(.days(2)))
        #expect(try fake.members(ofCohort: 1) == [])
    }
}

/// After profile writes only, a profile-decided membership is updated from the cached one.
@Suite(.timeLimit(.minutes(2))) struct CohortMembershipUpdateTests {
    static let updates: [JSONValue] = [
        ["$token": "tok", "$distinct_id": "b", "$set": ["segment": "in"]],
        ["$token": "tok", "$distinct_id": "a", "$set": ["segment": "out"]],
        ["$token": "tok", "$distinct_id": "c", "$delete": ""],
        ["$token": "tok", "$distinct_id": "new", "$set": ["segment": "in", "$email": "new@example.com"]],
        ["$token": "tok", "$distinct_id": "g", "$unset": ["segment"]],
        ["$token": "tok", "$distinct_id": "U1", "$set": ["visits": 30]],
        ["$token": "tok", "$distinct_id": "$device:D1", "$set": ["segment": "out"]],
    ]

    @Test(arguments: [IdentitySettings(), IdentitySettings(deviceProfiles: .hide)])
    func updatedMembershipEqualsAFullEvaluation(_ settings: IdentitySettings) throws {
        for cohort in try CohortStreamingTests.mixedWorld(settings).cohorts() {
            let fake = try CohortStreamingTests.mixedWorld(settings)
            _ = try fake.members(ofCohort: cohort.id)
            for update in Self.updates {
                #expect(try fake.applyProfileUpdates([update]).isEmpty)
                let (cached, fresh, version) = try fake.database.read { db in
                    (try fake.membership(ofCohort: cohort.id, db), try fake.streamedMembership(cohort.definition, db), try fake.dataVersion(db))
                }
                #expect(cached == fresh, "\(cohort.definition) after \(update)")
                #expect(fake.profileWriteLog.withLock { $0.ids(from: version - 1, to: version) } != nil)
            }
        }
    }

    @Test func onlyProfileWritesChainFromOneVersionToTheNext() throws {
        let fake = try CohortStreamingTests.mixedWorld(IdentitySettings())
        _ = try fake.members(ofCohort: 1)
        let start = try fake.database.read { db in try fake.dataVersion(db) }
        _ = try fake.applyProfileUpdates([CohortMembershipUpdateTests.updates[0], CohortMembershipUpdateTests.updates[1]])
        let afterProfiles = try fake.database.read { db in try fake.dataVersion(db) }
        #expect(fake.profileWriteLog.withLock { $0.ids(from: start, to: afterProfiles) } == ["a", "b"])
        _ = try fake.track(event: "Visit", properties: ["distinct_id": "a"])
        let afterEvent = try fake.database.read { db in try fake.dataVersion(db) }
        #expect(fake.profileWriteLog.withLock { $0.ids(from: start, to: afterEvent) } == nil)
    }
}

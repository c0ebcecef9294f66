import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMixpanel

/// `/engage` sessions hold ids and render pages on demand, yet show the snapshot they were created
/// from (A19); only the most recently used sessions are kept.
@Suite(.timeLimit(.minutes(2))) struct EngageSessionTests {
    static let cohort = MixpanelWorld.Cohort(id: 1, name: "In", definition: .property(name: "segment", op: .equals, value: "in"))

    static func profiles(_ count: Int) -> [MixpanelWorld.Profile] {
        (0..<count).map { i -> MixpanelWorld.Profile in
            let segment: JSONValue = i % 10 == 9 ? "out" : "in"
            return .init(distinctID: String(format: "u%05d", i),
                         properties: ["segment": segment, "$email": .string("user\(i)@example.com"), "n": .int(Int64(i))])
        }
    }

    static func query(_ fake: FakeMixpanel, _ form: String) async -> HTTPResponse {
        await fake.handle(Fixture.request("POST", "https://mixpanel.com/api/query/engage?project_id=7",
                                          contentType: "application/x-www-form-urlencoded", body: form))
    }

    static let cohortQuery = "filter_by_cohort=%7B%22id%22%3A1%7D&include_all_users=false&output_properties="
        + URLCoding.encodeComponent(#"["$email","$last_seen"]"#)

    @Test func aPageIsReadByOneRangeScanWhenDenseAndNotWhenSparse() throws {
        let fake = try Fixture.fake(profiles: Self.profiles(2_000), cohorts: [Self.cohort])
        let dense = (0..<100).map { String(format: "u%05d", $0) }
        let read = try fake.database.read { db in try fake.storedProfiles(dense, db) }
        #expect(read.count == dense.count && read.allSatisfy { $0 != nil })
        for (id, row) in zip(dense, read) { #expect(row == (try fake.database.read { db in try fake.storedProfile(id, db) })) }
        // Out of byte order, each row still lands in its id's slot.
        let shuffled = dense.reversed() as [String]
        let reread = try fake.database.read { db in try fake.storedProfiles(shuffled, db) }
        #expect(reread == read.reversed())
        let sparse = (0..<10).map { String(format: "u%05d", $0 * 150) }
        let partial = try fake.database.read { db in try fake.storedProfiles(sparse, db) }
        #expect(partial.count == sparse.count)
        #expect(partial.contains { $0 == nil })
        for (id, row) in zip(sparse, partial) where row != nil {
            #expect(row == (try fake.database.read { db in try fake.storedProfile(id, db) }))
        }
    }

    @Test func pagesCoverTheResultSetOnceInOrder() async throws {
        let fake = try Fixture.fake(profiles: Self.profiles(2_500), cohorts: [Self.cohort])
        let first = await Self.query(fake, Self.cohortQuery)
        let session = try #require(first.json?["session_id"]?.stringValue)
        #expect(first.json?["total"] == 2_250)
        var ids: [String] = []
        for page in 0..<4 {
            let response = page == 0 ? first : await Self.query(fake, Self.cohortQuery + "&session_id=\(session)&page=\(page)")
            let results = try #require(response.json?["results"]?.arrayValue)
            #expect(results.count == [1_000, 1_000, 250, 0][page])
            ids += results.compactMap { $0["$distinct_id"]?.stringValue }
            if let one = results.first {
                #expect(one["$properties"]?.objectValue?.keys.sorted() == ["$email", "$last_seen"])
            }
        }
        #expect(ids == Self.profiles(2_500).map(\.distinctID).filter { Int($0.dropFirst())! % 10 != 9 })
    }

    @Test func laterPagesShowTheSnapshotAfterProfileWrites() async throws {
        let fake = try Fixture.fake(profiles: Self.profiles(1_200), cohorts: [Self.cohort])
        let first = await Self.query(fake, Self.cohortQuery)
        let session = try #require(first.json?["session_id"]?.stringValue)
        let before = await Self.query(fake, Self.cohortQuery + "&session_id=\(session)&page=1")
        let errors = try fake.applyProfileUpdates([
            ["$token": "tok", "$distinct_id": "u01100", "$set": ["$email": "changed@example.com"]],
            ["$token": "tok", "$distinct_id": "u01101", "$delete": ""],
            ["$token": "tok", "$distinct_id": "u01102", "$set": ["segment": "out"]],
            ["$token": "tok", "$distinct_id": "u01102", "$set": ["$email": "twice@example.com"]],
        ])
        #expect(errors.isEmpty)
        let after = await Self.query(fake, Self.cohortQuery + "&session_id=\(session)&page=1")
        #expect(after.body == before.body)
        let fresh = await Self.query(fake, Self.cohortQuery)
        #expect(fresh.json?["total"] == 1_078)
    }

    @Test func onlyTheMostRecentlyUsedSessionsAreKept() async throws {
        let fake = try Fixture.fake(profiles: Self.profiles(20), cohorts: [Self.cohort])
        func distinctQuery(_ i: Int) -> String { "distinct_id=" + String(format: "u%05d", i) }
        let oldest = try #require(await Self.query(fake, distinctQuery(0)).json?["session_id"]?.stringValue)
        let used = try #require(await Self.query(fake, distinctQuery(1)).json?["session_id"]?.stringValue)
        for i in 2...EngageSessionStore.capacity {
            _ = await Self.query(fake, distinctQuery(i))
            if i == 8 { _ = await Self.query(fake, distinctQuery(1) + "&session_id=\(used)") }
        }
        #expect(fake.engageSessions.withLock { $0.session(named: oldest) } == nil)
        #expect(fake.engageSessions.withLock { $0.session(named: used) } != nil)
    }

    @Test func anEvictedSessionIsEvaluatedAfreshUnderItsId() async throws {
        let fake = try Fixture.fake(profiles: Self.profiles(20), cohorts: [Self.cohort])
        let first = await Self.query(fake, Self.cohortQuery)
        let session = try #require(first.json?["session_id"]?.stringValue)
        _ = try fake.applyProfileUpdates([["$token": "tok", "$distinct_id": "u00000", "$set": ["segment": "out"]]])
        for i in 0..<EngageSessionStore.capacity { _ = await Self.query(fake, "distinct_id=u\(i)") }
        let again = await Self.query(fake, Self.cohortQuery + "&session_id=\(session)")
        #expect(first.json?["total"] == 18)
        #expect(again.json?["total"] == 17)
        #expect(again.json?["session_id"]?.stringValue == session)
    }

    @Test func profileHistoryIsDroppedWithTheSessionsThatNeedIt() async throws {
        let fake = try Fixture.fake(profiles: Self.profiles(20), cohorts: [Self.cohort])
        _ = await Self.query(fake, Self.cohortQuery)
        _ = try fake.applyProfileUpdates([["$token": "tok", "$distinct_id": "u00000", "$set": ["segment": "out"]]])
        #expect(fake.engageSessions.withLock { $0.preserved("u00000", asOf: 0) } != nil)
        for i in 0..<EngageSessionStore.capacity { _ = await Self.query(fake, "distinct_id=u\(i)") }
        #expect(fake.engageSessions.withLock { $0.preserved("u00000", asOf: 0) } == nil)
    }

    @Test func includeAllUsersShowsMembersWithoutProfilesBare() async throws {
        let fake = try Fixture.fake(profiles: [.init(distinctID: "a", properties: ["x": 1]), .init(distinctID: "e", properties: [:])],
                                    cohorts: [.init(id: 1, name: "All", definition: .any([.ids(["a", "e", "z"])]))])
        let all = await Self.query(fake, "filter_by_cohort=%7B%22id%22%3A1%7D")
        #expect(all.json?["total"] == 2)  // "z" has neither a profile nor events: not a known user
        #expect(all.json?["results"]?.arrayValue?.map { $0["$properties"]?.objectValue?.count } == [2, 0])
        let profiled = await Self.query(fake, "filter_by_cohort=%7B%22id%22%3A1%7D&include_all_users=0")
        #expect(profiled.json?["results"]?.arrayValue?.map { $0["$distinct_id"] } == ["a"])
        let listed = await Self.query(fake, "distinct_ids=" + URLCoding.encodeComponent(#"["z","a","e","a"]"#))
        #expect(listed.json?["results"]?.arrayValue?.map { $0["$distinct_id"] } == ["a", "e", "z"])
    }
}

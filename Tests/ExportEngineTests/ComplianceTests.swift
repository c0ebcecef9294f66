import Testing
import SimCore
@testable import ExportEngine

@Suite(.timeLimit(.minutes(2))) struct ComplianceTests {
    /// ann is new; bob exists subscribed; cat unsubscribed, dan cleaned, eve archived; fay was permanently deleted.
    static func world(_ handling: ExistingContactHandling = .updateExisting) throws -> EngineFixture {
        let fixture = try EngineFixture(configure: { $0.existingContacts = handling })
        fixture.setCohort([("ann", "ann@x.io"), ("bob", "bob@x.io"), ("cat", "cat@x.io"), ("dan", "dan@x.io"),
                           ("eve", "eve@x.io"), ("fay", "fay@x.io")])
        fixture.transport.update { s in
            s.members["bob@x.io"] = .init(email: "bob@x.io", status: "subscribed")
            s.members["cat@x.io"] = .init(email: "cat@x.io", status: "unsubscribed")
            s.members["dan@x.io"] = .init(email: "dan@x.io", status: "cleaned")
            s.members["eve@x.io"] = .init(email: "eve@x.io", status: "archived")
            s.forgotten = ["fay@x.io"]
        }
        return fixture
    }

    @Test func compliantContactsAreSkippedWithTheirStatusAndNeverTagged() async throws {
        let fixture = try Self.world()
        let report = try await fixture.connectAndExport()
        #expect(report.outcome == .succeeded)
        #expect(report.added == 2)
        #expect(report.skipped == ["compliance: unsubscribed": 1, "compliance: cleaned": 1, "compliance: archived": 1,
                                   "compliance: Forgotten Email Not Subscribed": 1])
        #expect(report.rejected.isEmpty)
        #expect(fixture.transport.taggedEmails() == ["ann@x.io", "bob@x.io"])
        #expect(fixture.transport.state.withLock { $0.members.mapValues(\.status) }["cat@x.io"] == "unsubscribed")
        let cat = try await fixture.engine.changes(run: report.number).first { $0.distinctID == "cat" }
        #expect(cat?.action == .skip)
        #expect(cat?.reason.hasPrefix("compliance: unsubscribed") == true)
    }

    @Test(arguments: ExistingContactHandling.allCases)
    func compliantContactsAreSkippedTheSameWayInBothModes(_ handling: ExistingContactHandling) async throws {
        let fixture = try Self.world(handling)
        let report = try await fixture.connectAndExport()
        #expect(report.added == 2)
        #expect(report.skipped.values.reduce(0, +) == 4)
        #expect(fixture.transport.taggedEmails() == ["ann@x.io", "bob@x.io"])
        let statuses = fixture.transport.state.withLock { $0.members.mapValues(\.status) }
        #expect(statuses == ["ann@x.io": "subscribed", "bob@x.io": "subscribed", "cat@x.io": "unsubscribed",
                             "dan@x.io": "cleaned", "eve@x.io": "archived"])
    }

    @Test func existingStatusesComeFromTheBatchSubscribeReplyAtNoExtraRequest() async throws {
        let fixture = try Self.world()
        let report = try await fixture.connectAndExport()
        let subscribe = try #require(fixture.transport.requests("POST", "/3.0/lists/aud1").first { $0.path == "/3.0/lists/aud1" })
        let body = try JSONValue(parsing: subscribe.body)
        #expect(body["update_existing"] == true)
        #expect(body["members"]?.arrayValue?.allSatisfy { $0["status"] == nil && $0["status_if_new"] == "subscribed" } == true)
        #expect(fixture.transport.requests("GET", "/3.0/lists/aud1/members").isEmpty)
        // tag-search + create tag + 1 batch subscribe + 1 tag update.
        #expect(report.mailchimpRequests == 4)
    }

    @Test func statusesOfFewExistingContactsAreReadOneByOneWhenListingStatuses() async throws {
        let fixture = try Self.world(.listStatuses)
        let report = try await fixture.connectAndExport()
        // bob, cat, dan, eve answered ERROR_CONTACT_EXISTS: one GET each, no listing.
        #expect(fixture.transport.requests("GET", "/3.0/lists/aud1/members/").count == 4)
        #expect(fixture.transport.requests("GET", "/3.0/lists/aud1/members").allSatisfy { $0.path != "/3.0/lists/aud1/members" })
        // tag-search + create tag + 1 batch subscribe + 4 status reads + 1 tag update.
        #expect(report.mailchimpRequests == 8)
    }

    @Test func manyExistingContactsAreClassifiedByThreeStatusListingsWhenListingStatuses() async throws {
        let fixture = try EngineFixture(configure: { $0.existingContacts = .listStatuses; $0.statusLookupLimit = 2 })
        fixture.setCohort([("bob", "bob@x.io"), ("cat", "cat@x.io"), ("dan", "dan@x.io"), ("eve", "eve@x.io")])
        fixture.transport.update { s in
            for (email, status) in [("bob@x.io", "subscribed"), ("cat@x.io", "unsubscribed"), ("dan@x.io", "cleaned"), ("eve@x.io", "archived")] {
                s.members[email] = .init(email: email, status: status)
            }
        }
        let report = try await fixture.connectAndExport()
        let listings = fixture.transport.requests("GET", "/3.0/lists/aud1/members").filter { $0.path == "/3.0/lists/aud1/members" }
        #expect(Set(listings.compactMap { $0.queryValue("status") }) == ["unsubscribed", "cleaned", "archived"])
        #expect(fixture.transport.requests("GET", "/3.0/lists/aud1/members/").isEmpty)
        #expect(report.added == 1)
        #expect(report.skipped.values.reduce(0, +) == 3)
        #expect(fixture.transport.taggedEmails() == ["bob@x.io"])
    }

    @Test func skipListedContactsAreNotSentAgainUntilAFullReconcile() async throws {
        let fixture = try Self.world()
        _ = try await fixture.connectAndExport(.dynamic)
        fixture.clock.set(EngineFixture.start.adding(.hours(2)))
        try await fixture.engine.runDue()
        let second = try #require(try await fixture.engine.runs().last)
        #expect(second.trigger == .scheduled)
        #expect(second.mailchimpRequests == 0)
        #expect(second.skipped["compliance: unsubscribed"] == 1)
        #expect(try await fixture.engine.changes(run: second.number).first { $0.distinctID == "cat" }?.reason == "compliance: unsubscribed (skip list)")

        // cat re-subscribes on Mailchimp's side; the 3-day snapshot expiry forces a full reconcile that re-checks.
        fixture.transport.update { $0.members["cat@x.io"]?.status = "subscribed" }
        fixture.clock.set(EngineFixture.start.adding(.days(4)))
        try await fixture.engine.runDue()
        let reconcile = try #require(try await fixture.engine.runs().last)
        #expect(reconcile.fullReconcile)
        #expect(reconcile.skipped["compliance: unsubscribed"] == nil)
        #expect(reconcile.skipped["compliance: cleaned"] == 1)
        #expect(fixture.transport.taggedEmails().contains("cat@x.io"))
        #expect(try fixture.engine.store.skipList(audienceID: EngineFixture.audience)["cat@x.io"] == nil)
        await fixture.engine.quiesce()
    }

    @Test func requestsStayAtTheLowerBoundForLargeDiffs() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort((0..<1200).map { (id: "u\($0)", email: "u\($0)@x.io") })
        let report = try await fixture.connectAndExport()
        #expect(report.added == 1200)
        // tag-search + create + ⌈1200/500⌉ batch subscribes + ⌈1200/500⌉ tag updates; no status reads, no merge-field read.
        #expect(report.mailchimpRequests == 2 + 3 + 3)
        #expect(fixture.transport.requests("POST", "/3.0/lists/aud1/segments/").count == 3)
    }
}

import Foundation
import Testing
import SimCore
@testable import ExportEngine

@Suite(.timeLimit(.minutes(2))) struct ConnectAndMergeFieldTests {
    @Test(arguments: ["owner", "admin", "Admin"])
    func ownersAndAdminsMayConnect(_ role: String) async throws {
        let fixture = try EngineFixture()
        fixture.transport.update { $0.role = .string(role) }
        #expect(await fixture.engine.connect(apiKey: EngineFixture.apiKey) == .connected(dataCenter: "us6"))
        #expect(fixture.transport.requests("GET", "/api/app/projects/42/service-accounts").count == 1)
    }

    @Test(arguments: ["analyst", "consumer"])
    func analystsAndConsumersAreRefusedWithTheirRole(_ role: String) async throws {
        let fixture = try EngineFixture()
        fixture.transport.update { $0.role = .string(role) }
        let status = await fixture.engine.connect(apiKey: EngineFixture.apiKey)
        guard case .notConnected(let reason) = status else { Issue.record("connected as \(role)"); return }
        #expect(reason.contains("\"svc\" has the \(role) role in project 42"))
        #expect(reason.contains("only an owner or admin"))
        #expect(fixture.transport.requests("GET", "/3.0/ping").isEmpty)
        #expect(try await fixture.engine.connectionStatus() == .notConnected(reason: "no Mailchimp account connected"))
    }

    @Test func anAccountOutsideTheProjectIsRefused() async throws {
        let fixture = try EngineFixture()
        fixture.transport.update { $0.role = nil }
        let status = await fixture.engine.connect(apiKey: EngineFixture.apiKey)
        #expect(status == .notConnected(reason: "the Mixpanel service account \"svc\" is not a member of project 42"))
    }

    @Test func theRoleCheckCanBeTurnedOff() async throws {
        let fixture = try EngineFixture(configure: { $0.requireAdminRole = false })
        fixture.transport.update { $0.role = "consumer" }
        #expect(await fixture.engine.connect(apiKey: EngineFixture.apiKey) == .connected(dataCenter: "us6"))
        #expect(fixture.transport.requests("GET", "/api/app/projects/42/service-accounts").isEmpty)
    }

    @Test func onlyMergeFieldsTheAudienceDefinesAreSentAndTheyAreReadOncePerSync() async throws {
        let fixture = try EngineFixture()
        fixture.transport.update { $0.mergeFields = ["FNAME", "PHONE"] }
        fixture.setCohort([("ann", "ann@x.io")], names: ["ann": "Ann"])
        let first = try await fixture.connectAndExport(.dynamic)
        #expect(first.added == 1)
        #expect(first.rejected.isEmpty)
        #expect(fixture.transport.state.withLock { $0.members["ann@x.io"]?.mergeFields } == ["FNAME": "Ann"])
        #expect(try await fixture.engine.syncs().first?.mergeFields == ["FNAME", "PHONE"])

        fixture.setCohort([("ann", "ann@x.io"), ("bob", "bob@x.io")], names: ["ann": "Ann", "bob": "Bob"])
        fixture.clock.set(EngineFixture.start.adding(.hours(2)))
        try await fixture.engine.runDue()
        #expect(try await fixture.engine.runs().last?.added == 1)
        #expect(fixture.transport.requests("GET", "/3.0/lists/aud1/merge-fields").count == 1)
        await fixture.engine.quiesce()
    }

    @Test func noMergeFieldReadWhenNoContactHasAName() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        _ = try await fixture.connectAndExport()
        #expect(fixture.transport.requests("GET", "/3.0/lists/aud1/merge-fields").isEmpty)
    }

    @Test(arguments: [("", "d41d8cd98f00b204e9800998ecf8427e"), ("abc", "900150983cd24fb0d6963f7d28e17f72"),
                      ("The quick brown fox jumps over the lazy dog", "9e107d9d372bb6826bd81d3542a419d6")])
    func md5MatchesKnownVectors(_ input: String, _ digest: String) {
        #expect(md5Hex(Data(input.utf8)) == digest)
    }

    @Test func subscriberHashLowerCasesTheAddress() {
        #expect(subscriberHash("Ann@X.io") == subscriberHash("ann@x.io"))
        #expect(subscriberHash("ann@x.io") == "820de57cd5d136f3f77ddbe18d32e70b")
    }
}

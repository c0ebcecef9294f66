import Testing
import SimCore
@testable import ExportEngine

/// The compliance-safe default, and merge fields of contacts the sync did not create.
@Suite(.timeLimit(.minutes(2))) struct ExistingContactDefaultsTests {
    @Test func listStatusesIsTheDefaultMode() {
        #expect(EngineFixture.configuration().existingContacts == .listStatuses)
    }

    @Test func theDefaultNeverSendsUpdateExisting() async throws {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io")])
        _ = try await fixture.connectAndExport()
        let bodies = fixture.transport.requests("POST", "/3.0/lists/aud1").filter { $0.path == "/3.0/lists/aud1" }
            .compactMap { try? JSONValue(parsing: $0.body) }
        #expect(!bodies.isEmpty)
        #expect(bodies.allSatisfy { $0["update_existing"] == false })
    }

    /// ann is new, bob already exists with his own FNAME/LNAME; both are in the cohort with names.
    static func namedWorld(_ handling: ExistingContactHandling) throws -> EngineFixture {
        let fixture = try EngineFixture(configure: { $0.existingContacts = handling })
        fixture.setCohort([("ann", "ann@x.io"), ("bob", "bob@x.io")], names: ["ann": "Ann", "bob": "Bobby"])
        fixture.transport.update { s in
            s.members["bob@x.io"] = .init(email: "bob@x.io", status: "subscribed", mergeFields: ["FNAME": "Robert", "LNAME": "Smith"])
        }
        return fixture
    }

    @Test(arguments: ExistingContactHandling.allCases)
    func mergeFieldsOfAContactTheSyncDidNotCreateAreNeverWritten(_ handling: ExistingContactHandling) async throws {
        let fixture = try Self.namedWorld(handling)
        let report = try await fixture.connectAndExport()
        #expect(report.added == 2)
        let members = fixture.transport.state.withLock { $0.members }
        #expect(members["bob@x.io"]?.mergeFields == ["FNAME": "Robert", "LNAME": "Smith"])
        #expect(members["ann@x.io"]?.mergeFields == ["FNAME": "Ann", "LNAME": "Doe"])
        #expect(fixture.transport.taggedEmails() == ["ann@x.io", "bob@x.io"])
    }

    @Test func updateExistingNamesOnlyTheContactsItCreatedInASecondCall() async throws {
        let fixture = try Self.namedWorld(.updateExisting)
        _ = try await fixture.connectAndExport()
        let bodies = fixture.transport.requests("POST", "/3.0/lists/aud1").filter { $0.path == "/3.0/lists/aud1" }
            .compactMap { try? JSONValue(parsing: $0.body) }
        #expect(bodies.count == 2)
        let first = bodies[0]["members"]?.arrayValue ?? []
        #expect(first.count == 2)
        #expect(first.allSatisfy { $0["merge_fields"] == .object([:]) })
        let second = bodies[1]["members"]?.arrayValue ?? []
        #expect(second.map { $0["email_address"] } == ["ann@x.io"])
        #expect(second.first?["merge_fields"] == ["FNAME": "Ann", "LNAME": "Doe"])
        #expect(bodies[1]["update_existing"] == true)
    }

    @Test func updateExistingMakesNoSecondCallWhenNoCreatedContactHasAName() async throws {
        let fixture = try EngineFixture(configure: { $0.existingContacts = .updateExisting })
        fixture.setCohort([("ann", "ann@x.io")])
        _ = try await fixture.connectAndExport()
        #expect(fixture.transport.requests("POST", "/3.0/lists/aud1").filter { $0.path == "/3.0/lists/aud1" }.count == 1)
    }
}

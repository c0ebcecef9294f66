import Foundation
import SimCore
import SimHTTP
@testable import ExportEngine

/// An engine wired to a ``ScriptedTransport`` and a virtual clock.
struct EngineFixture {
    static let start = SimTime(iso8601: "2026-03-02T09:00:00Z")!
    static let audience = "aud1"
    static let apiKey = "key-us6"

    let transport: ScriptedTransport
    let clock: VirtualClock
    var engine: ExportEngine
    let databasePath: String?

    init(transport: ScriptedTransport = ScriptedTransport(), clock: VirtualClock = VirtualClock(start: start),
         onDisk: Bool = false, configure: (inout EngineConfiguration) -> Void = { _ in }) throws {
        self.transport = transport
        self.clock = clock
        databasePath = onDisk ? Self.temporaryDatabase() : nil
        engine = try Self.makeEngine(transport: transport, clock: clock, path: databasePath, configure: configure)
    }

    static func configuration(_ configure: (inout EngineConfiguration) -> Void = { _ in }) -> EngineConfiguration {
        var configuration = EngineConfiguration(mixpanel: .init(projectID: 42, username: "svc", secret: "s3cret"))
        configure(&configuration)
        return configuration
    }

    static func makeEngine(transport: ScriptedTransport, clock: VirtualClock, path: String?,
                           configure: (inout EngineConfiguration) -> Void = { _ in }) throws -> ExportEngine {
        try ExportEngine(configuration: configuration(configure), transport: transport, clock: clock, seed: 7, databasePath: path)
    }

    /// A new engine on the same database, as after a process restart.
    mutating func restart(configure: (inout EngineConfiguration) -> Void = { _ in }) throws {
        engine = try Self.makeEngine(transport: transport, clock: clock, path: databasePath, configure: configure)
    }

    static func temporaryDatabase() -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engine-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("engine.sqlite").path
    }

    /// Cohort 501 "Power Users" with profiles `(distinct_id, email, first name?)`.
    func setCohort(_ people: [(id: String, email: String)], userIDs: [String: String] = [:], names: [String: String] = [:]) {
        transport.update { s in
            s.cohorts[501] = "Power Users"
            s.profiles[501] = people.map { person in
                var properties: [String: JSONValue] = ["$email": .string(person.email)]
                if let user = userIDs[person.id] { properties["$user_id"] = .string(user) }
                if let name = names[person.id] { properties["$first_name"] = .string(name); properties["$last_name"] = "Doe" }
                return (person.id, properties)
            }
        }
    }

    func connectAndExport(_ mode: ExportMode = .oneTime) async throws -> RunReport {
        _ = await engine.connect(apiKey: Self.apiKey)
        return try await engine.startExport(cohortID: 501, cohortName: "Power Users", audienceID: Self.audience, mode: mode)
    }
}

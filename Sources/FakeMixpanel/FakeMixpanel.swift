import Foundation
import GRDB
import SimCore
import SimHTTP
import SimStorage
import Synchronization

/// A fake Mixpanel project: ingestion (`/engage` updates), the query API (`/engage`,
/// `/cohorts/list`) and cohort evaluation, backed by SQLite.
///
/// Behaviour follows `shared/reference/mixpanel.md`; decisions on its ambiguities and known
/// divergences are listed in `docs/fidelity.md`.
public final class FakeMixpanel: HTTPHandler {
    /// Rows per `/engage` page; fixed, as on the real service.
    public static let pageSize = 1000

    public let projectID: Int64
    public let token: String
    public let idMerge: MixpanelWorld.IDMerge
    let serviceAccounts: [MixpanelWorld.ServiceAccount]
    let seed: UInt64
    let clock: any SimClock
    let database: DatabaseQueue
    /// Result sets of `/engage` sessions, so later pages page through the same snapshot (A19).
    let sessions = Mutex<[String: [JSONValue]]>([:])
    private let routes: RouteTable<FakeMixpanel>

    public init(world: MixpanelWorld, seed: UInt64, clock: any SimClock, databasePath: String? = nil) throws {
        projectID = world.projectID
        token = world.token
        idMerge = world.idMerge
        serviceAccounts = world.serviceAccounts
        self.seed = seed
        self.clock = clock
        database = try SQLiteDatabase.open(path: databasePath, migrations: MixpanelSchema.migrations)
        var routes = RouteTable<FakeMixpanel>()
        EngageQueryRoutes.register(in: &routes)
        EngageUpdateRoutes.register(in: &routes)
        self.routes = routes
        try seedWorld(world)
    }

    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        do {
            switch routes.match(method: request.method, path: request.path) {
            case .found(let handler, let parameters):
                return try await handler(self, request, parameters)
            case .methodNotAllowed, .notFound:
                throw QueryError(status: 404, message: "Not Found")
            }
        } catch let error as QueryError {
            return error.response(for: request)
        } catch {
            return QueryError(status: 500, message: "Internal Server Error").response(for: request)
        }
    }

    private func seedWorld(_ world: MixpanelWorld) throws {
        let now = clock.now
        try database.write { db in
            for profile in world.profiles {
                try ProfileRecord(distinctID: profile.distinctID, properties: profile.properties, lastSeen: now).save(db)
            }
            for event in world.events {
                let distinctID = event.properties["distinct_id"]?.stringValue ?? ""
                try db.execute(sql: "INSERT INTO event (name, distinct_id, time, ingested, insert_id, properties) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [event.name, distinctID, event.time.milliseconds, now.milliseconds,
                                           event.properties["$insert_id"]?.stringValue, JSONValue.object(event.properties).canonicalText])
            }
            for cohort in world.cohorts {
                try db.execute(sql: "INSERT INTO cohort (id, name, description, definition, created) VALUES (?, ?, ?, ?, ?)",
                               arguments: [cohort.id, cohort.name, cohort.description, cohort.definition.json.canonicalText, now.milliseconds])
            }
        }
    }

    /// The service account behind a Basic `Authorization` header, if the credentials are right.
    func serviceAccount(for request: HTTPRequest) -> MixpanelWorld.ServiceAccount? {
        guard let header = request.headers["Authorization"], header.lowercased().hasPrefix("basic ") else { return nil }
        let encoded = String(header.dropFirst(6)).trimmingWhitespace()
        let plain = Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? encoded
        guard let colon = plain.firstIndex(of: ":") else { return nil }
        let user = String(plain[..<colon])
        let secret = String(plain[plain.index(after: colon)...])
        return serviceAccounts.first { $0.username == user && $0.secret == secret }
    }
}

/// An error from the query API: `{"request": …, "error": …}` (observed shape; the spec has none).
struct QueryError: Error, Equatable {
    var status: Int
    var message: String

    func response(for request: HTTPRequest) -> HTTPResponse {
        .json(["request": .string(request.target), "error": .string(message)], status: status)
    }
}

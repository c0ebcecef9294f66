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
    /// Rows per `/engage` page on the real service (fixed there; see ``QuerySettings/pageSize``).
    public static let pageSize = 1000

    public let projectID: Int64
    public let token: String
    public let idMerge: MixpanelWorld.IDMerge
    /// Identity switches (A1–A8).
    public let identitySettings: IdentitySettings
    /// MTU switches (A27–A33).
    public let mtuSettings: MTUSettings
    /// Ingestion limits and switches (A20, A21, A25).
    public let ingestionSettings: IngestionSettings
    let serviceAccounts: [MixpanelWorld.ServiceAccount]
    let seed: UInt64
    let clock: any SimClock
    let database: DatabaseQueue
    /// When the fake was created: the `created` date of its service accounts.
    let created: SimTime
    /// `/engage` sessions, so later pages page through the same snapshot (A19); bounded, see
    /// ``EngageSessionStore``.
    let engageSessions = Mutex(EngageSessionStore())
    /// Every canonical user as last computed, keyed by SQLite's `total_changes()`: any write to the
    /// project (profiles, events, identity events, cohorts) changes the key, so the cache is never stale.
    let usersCache = Mutex<(version: Int, users: [String: CohortEvaluator.User])?>(nil)
    /// Recently evaluated cohort memberships, keyed by cohort, data version and instant.
    let membershipCache = Mutex(MembershipCache())
    /// Profile writes while memberships are cached, to update them without a full evaluation.
    let profileWriteLog = Mutex(ProfileWriteLog())
    /// Identity clusters and the log of operations that built them.
    let identity: Mutex<IdentityState>
    /// Query API limits (§6.2), when switched on.
    let rateLimiter: QueryRateLimiter?
    /// Limits, session metering and page size of the query API.
    let querySettings: QuerySettings
    /// Ingestion volume per rolling minute (§6.2).
    let ingestionMeter = IngestionMeter()
    /// Service times (``MixpanelLatency/standard`` in scenarios; off by default for direct use).
    let latency: LatencyModel
    let faults: FaultInjector
    private let routes: RouteTable<FakeMixpanel>

    /// Creates a fake project from `world`; the world's events are ingested in time order through
    /// the same identity resolution as live events.
    ///
    /// - Parameters:
    ///   - query: the query API's limits (60 per hour and 5 concurrent per project; off by
    ///     default for direct use), session metering and page size.
    ///   - faults: scenario-controlled faults, answered with the real error bodies of each API.
    ///   - latency: service times, applied after a request is handled (it holds its rate-limit
    ///     slot meanwhile); off unless given, since a direct caller's clock may have nobody to move it.
    public init(world: MixpanelWorld, seed: UInt64, clock: any SimClock, databasePath: String? = nil,
                identity identitySettings: IdentitySettings = IdentitySettings(), mtu: MTUSettings = MTUSettings(),
                ingestion: IngestionSettings = IngestionSettings(), query: QuerySettings = QuerySettings(),
                faults: [FaultRule] = [], latency: LatencyModel = .off) throws {
        projectID = world.projectID
        token = world.token
        idMerge = world.idMerge
        self.identitySettings = identitySettings
        mtuSettings = mtu
        ingestionSettings = ingestion
        serviceAccounts = world.serviceAccounts
        self.seed = seed
        self.clock = clock
        created = clock.now
        identity = Mutex(IdentityState(graph: IdentityGraph(mode: world.idMerge, settings: identitySettings, seed: seed)))
        rateLimiter = query.rateLimited ? QueryRateLimiter() : nil
        querySettings = query
        self.latency = latency
        self.faults = FaultInjector(rules: faults, seed: seed)
        database = try SQLiteDatabase.open(path: databasePath, durability: .scratch, schema: "fake-mixpanel", migrations: MixpanelSchema.migrations)
        var routes = RouteTable<FakeMixpanel>()
        EngageQueryRoutes.register(in: &routes)
        EngageUpdateRoutes.register(in: &routes)
        TrackRoutes.register(in: &routes)
        ImportRoutes.register(in: &routes)
        ExportRoutes.register(in: &routes)
        AppRoutes.register(in: &routes)
        DiscoveryRoutes.register(in: &routes)
        SimRoutes.register(in: &routes)
        self.routes = routes
        try seedWorld(world)
    }

    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let arrival = clock.now
        let family = APIFamily(path: request.path)
        func paced(_ response: HTTPResponse) async -> HTTPResponse {
            await latency.pace(request, response, arrival: arrival, seed: seed, clock: clock)
        }
        if family.isIngestion, let refusal = ingestionMeter.refusal(request, family: family, at: arrival) {
            return await paced(refusal)
        }
        // The simulator's own routes (`/_sim/…`) are not Mixpanel's and use no query budget.
        let metered = family.isRateLimitedQuery && !request.path.hasPrefix("/_sim/")
            && (querySettings.sessionPagesCount || !Self.continuesSession(request))
        guard metered, let permit = rateLimiter?.admit(projectID: projectID, at: arrival) else {
            return await paced(await route(request, family: family))
        }
        switch permit {
        case .refused(let message):
            return await paced(family.errorResponse(status: 429, message: message, for: request))
        case .admitted(let ticket):
            let response = await paced(await route(request, family: family))
            rateLimiter?.finish(ticket)
            return response
        }
    }

    /// Whether `request` asks for a later page of an open `/engage` session.
    static func continuesSession(_ request: HTTPRequest) -> Bool {
        EngageQueryRoutes.parameters(request)["session_id"] != nil
    }

    /// Answers `request` as the service would with no fault and no rate limit: the harness's own
    /// reads of the fake's state (the fuzzer's event checks). Going through ``handle(_:)`` would
    /// let a scenario fault answer the harness, use up the fault rules' seeded draws and the
    /// engine's query budget, so a checked run would differ from the same scenario unchecked.
    public func inspect(_ request: HTTPRequest) async -> HTTPResponse {
        await routeUnfaulted(request, family: APIFamily(path: request.path))
    }

    /// How many requests each scenario fault rule has hit so far, in rule order.
    public var faultHits: [Int] { faults.hitCounts() }

    /// The fault rules in force; `serve`'s admin API adds and clears rules through it.
    public var faultPlan: FaultInjector { faults }

    /// For a request no route serves, the nearest route (`GET /api/2.0/engage`); `nil` otherwise.
    public func nearestRoute(method: String, path: String) -> String? {
        routes.nearest(method: method, path: path)
    }

    /// Faults first (a delay holds its rate-limit slot), then the route.
    private func route(_ request: HTTPRequest, family: APIFamily) async -> HTTPResponse {
        await faults.apply(request, clock: clock, errorBody: { family.faultResponse(status: $0, for: request, projectID: projectID) }) {
            await routeUnfaulted(request, family: family)
        }
    }

    private func routeUnfaulted(_ request: HTTPRequest, family: APIFamily) async -> HTTPResponse {
        do {
            switch routes.match(method: request.method, path: request.path) {
            case .found(let handler, let parameters):
                return try await handler(self, request, parameters)
            case .methodNotAllowed, .notFound:
                throw QueryError(status: 404, message: "Not Found")
            }
        } catch let error as QueryError {
            return family.errorResponse(status: error.status, message: error.message, for: request)
        } catch {
            return family.errorResponse(status: 500, message: "Internal Server Error", for: request)
        }
    }

    private func seedWorld(_ world: MixpanelWorld) throws {
        let now = clock.now
        try database.write { db in
            try storeProfiles(world.profiles, lastSeen: now, db)
            for cohort in world.cohorts {
                try db.cachedStatement(sql: "INSERT INTO cohort (id, name, description, definition, created) VALUES (?, ?, ?, ?, ?)").execute(arguments: [cohort.id, cohort.name, cohort.description, cohort.definition.json.canonicalText, now.milliseconds])
            }
        }
        let ordered = world.events.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        let results = try ingest(ordered, rules: .direct, ingestedAtEventTime: true)
        if let failure = results.lazy.compactMap(\.failure).first {
            throw InvalidWorldEvent(event: ordered[failure.index], message: failure.message)
        }
    }

    /// The service account behind a Basic `Authorization` header, if the credentials are right.
    func serviceAccount(for request: HTTPRequest) -> MixpanelWorld.ServiceAccount? {
        guard let (user, secret) = Self.basicCredentials(request) else { return nil }
        return serviceAccounts.first { $0.username == user && $0.secret == secret }
    }

    /// The user name and password of a Basic `Authorization` header, base64 or plain `user:secret`.
    static func basicCredentials(_ request: HTTPRequest) -> (user: String, secret: String)? {
        guard let header = request.headers["Authorization"], header.lowercased().hasPrefix("basic ") else { return nil }
        let encoded = String(header.dropFirst(6)).trimmingWhitespace()
        let plain = Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? encoded
        guard let colon = plain.firstIndex(of: ":") else { return nil }
        return (String(plain[..<colon]), String(plain[plain.index(after: colon)...]))
    }
}

/// A world event the fake refuses to ingest (e.g. `$identify` without `$anon_id`, or a time
/// more than an hour after the scenario's start).
public struct InvalidWorldEvent: Error, Equatable, CustomStringConvertible {
    public var event: MixpanelWorld.Event
    public var message: String

    public var description: String { "invalid Mixpanel world event '\(event.name)': \(message)" }
}

/// An error from the query API: `{"request": …, "error": …}` (observed shape; the spec has none).
struct QueryError: Error, Equatable {
    var status: Int
    var message: String

    func response(for request: HTTPRequest) -> HTTPResponse {
        .json(["request": .string(request.target), "error": .string(message)], status: status)
    }
}

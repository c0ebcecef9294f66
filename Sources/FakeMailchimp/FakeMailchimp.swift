import Foundation
import GRDB
import SimCore
import SimHTTP
import SimStorage
import Synchronization

/// A fake Mailchimp Marketing API v3 account, backed by SQLite, answering in-process or over loopback.
///
/// Behaviour follows `shared/reference/mailchimp.md`; every known divergence is listed in
/// `docs/fidelity.md`. All ids derive from the seed and the content they name, and all times from
/// the injected clock, so the same requests give the same responses in any order.
public final class FakeMailchimp: HTTPHandler {
    /// The most requests Mailchimp processes at once for one account.
    public static let connectionLimit = 10

    let apiKey: String
    let dataCenter: String
    let seed: UInt64
    let clock: any SimClock
    let database: DatabaseQueue
    /// Addresses refused as "looks fake or invalid".
    let refused: RefusedAddresses
    let accountName: String
    /// Planted misbehaviours (see ``MailchimpWorld/Sabotage``).
    let sabotage: Set<MailchimpWorld.Sabotage>
    private let inFlight = Mutex(0)
    private let revoked = Mutex(false)
    /// The last ``dump()`` and the connection's change count when it was read.
    let dumpCache = Mutex<(changes: Int, audiences: [AudienceDump])?>(nil)
    /// Keys created after the account's own (``addAPIKey(_:)``), each working until revoked.
    private let addedKeys = Mutex<[String: Bool]>([:])
    private let injector: FaultInjector
    /// Service times (``MailchimpLatency/standard`` in scenarios; off by default for direct use).
    let latency: LatencyModel
    /// Connections the account's other apps hold (they count towards the same 10).
    let otherClients: [OtherClientLoad]
    private let routes: RouteTable<FakeMailchimp>
    /// Where recent listing pages ended (keyset paging under `count`/`offset`).
    let listingCursors = ListingCursors()

    /// Creates the account described by `world`. `databasePath` nil keeps the state in memory.
    ///
    /// `faults` are applied to every authenticated, admitted request (seeded with `seed`): a
    /// status fault answers with Mailchimp's real body for that status, a delay keeps the request
    /// in flight (so it counts towards the 10-connection limit) before it is handled. `latency`
    /// holds every answer for its service time after the request was handled (an admitted
    /// request keeps its connection meanwhile); off unless given, since a direct caller's clock
    /// may have nobody to move it.
    public init(world: MailchimpWorld, seed: UInt64, clock: any SimClock, databasePath: String? = nil,
                faults: [FaultRule] = [], latency: LatencyModel = .off, otherClients: [OtherClientLoad] = []) throws {
        injector = FaultInjector(rules: faults, seed: seed)
        self.latency = latency
        self.otherClients = otherClients
        apiKey = world.apiKey
        dataCenter = MailchimpKey.dataCenter(of: world.apiKey) ?? "us1"
        self.seed = seed
        self.clock = clock
        self.accountName = world.accountName
        sabotage = Set(world.sabotage)
        refused = world.refusedAddresses
        database = try SQLiteDatabase.open(path: databasePath, durability: .scratch, schema: "fake-mailchimp", migrations: MailchimpSchema.migrations)
        routes = Self.makeRoutes()
        try seedWorld(world)
    }

    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let arrival = clock.now
        let instance = RequestInstance(seed: seed, request: request, arrival: arrival)
        func paced(_ response: HTTPResponse) async -> HTTPResponse {
            await latency.pace(request, response, arrival: arrival, seed: seed, clock: clock)
        }
        guard request.path == "/3.0" || request.path.hasPrefix("/3.0/") else {
            return await paced(MailchimpProblem.notFound.response(instance: instance))
        }
        if request.path.hasPrefix(BatchRoutes.resultsPrefix) {
            // A signed storage link on the real service: no API key, no connection limit.
            do { try await runDueBatches() } catch { return MailchimpProblem.internalError.response(instance: instance) }
            return await paced(await dispatch(request, instance: instance))
        }
        if let problem = authenticate(request) { return await paced(problem.response(instance: instance)) }
        let busy = otherClients.reduce(0) { $0 + $1.connections(at: arrival) }
        let admitted = inFlight.withLock { count -> Bool in
            guard count + busy < Self.connectionLimit else { return false }
            count += 1
            return true
        }
        guard admitted else { return await paced(MailchimpProblem.tooManyRequests.response(instance: instance)) }
        defer { inFlight.withLock { $0 -= 1 } }
        return await paced(await handleAdmitted(request, instance: instance))
    }

    /// An authenticated request within the connection limit: faults, then the route.
    private func handleAdmitted(_ request: HTTPRequest, instance: RequestInstance) async -> HTTPResponse {
        await injector.apply(request, clock: clock, errorBody: { status in
            MailchimpProblem.fault(status: status).response(instance: instance)
        }) {
            if let name = request.headers["X-Trigger-Error"], var problem = MailchimpProblem.triggered(name) {
                // Every 405 names the methods the path takes (reference §3.1).
                let allowed = routes.allowedMethods(path: request.path)
                if problem.status == 405, !allowed.isEmpty { problem.headers["Allow"] = allowed.joined(separator: ", ") }
                return problem.response(instance: instance)
            }
            do { try await runDueBatches() } catch { return MailchimpProblem.internalError.response(instance: instance) }
            return await dispatch(request, instance: instance)
        }
    }

    /// How many requests each scenario fault rule has hit so far, in rule order.
    public var faultHits: [Int] { injector.hitCounts() }

    /// The fault rules in force; `serve`'s admin API adds and clears rules through it.
    public var faultPlan: FaultInjector { injector }

    /// For a request no route serves, the nearest route (`GET /3.0/lists/{list}`); `nil` otherwise.
    public func nearestRoute(method: String, path: String) -> String? {
        routes.nearest(method: method, path: path)
    }

    /// Disables the account's API key: from now on it gets 401 `API Key Invalid`, "API key has been disabled".
    public func revokeAPIKey() {
        revoked.withLock { $0 = true }
        addedKeys.withLock { keys in for key in keys.keys { keys[key] = true } }
    }

    /// A new API key for the account (the owner created one, e.g. after the old key was
    /// revoked). It must name the account's data centre (`<key>-<dc>`).
    public func addAPIKey(_ key: String) throws {
        guard MailchimpKey.dataCenter(of: key) == dataCenter else {
            throw MailchimpKeyError(message: "a new API key must end in -\(dataCenter), the account's data centre (got '\(key)')")
        }
        guard key != apiKey else { throw MailchimpKeyError(message: "'\(key)' is already the account's key") }
        addedKeys.withLock { $0[key] = false }
    }

    /// Routes an authenticated request (also used for batch operations) and renders errors.
    func dispatch(_ request: HTTPRequest, instance: String) async -> HTTPResponse {
        await dispatch(request, instance: RequestInstance(fixed: instance))
    }

    /// Routes an authenticated request and renders errors, naming the request `instance` in them.
    func dispatch(_ request: HTTPRequest, instance: RequestInstance) async -> HTTPResponse {
        do {
            switch routes.match(method: request.method, path: request.path) {
            case .found(let handler, let parameters):
                let selection = FieldSelection(request)
                if selection?.isConflicting == true {
                    throw MailchimpProblem(status: 400, title: "Invalid Resource",
                                           detail: "fields and exclude_fields are mutually exclusive.")
                }
                var response = try await handler(self, request, parameters)
                if let selection, (200..<300).contains(response.status), let value = response.jsonValue {
                    let trimmed = selection.apply(to: value)
                    response.body = trimmed.canonicalData
                    response.jsonValue = trimmed
                }
                return response
            case .methodNotAllowed(let allowed):
                throw MailchimpProblem.methodNotAllowed(allow: allowed)
            case .notFound:
                throw MailchimpProblem.notFound
            }
        } catch let problem as MailchimpProblem {
            return problem.response(instance: instance)
        } catch let error as JSONParseError {
            return MailchimpProblem.jsonParse(error.reason).response(instance: instance)
        } catch {
            return MailchimpProblem.internalError.response(instance: instance)
        }
    }

    /// Checks credentials: Basic (any user, key as password), Bearer, `apikey`, or `?apikey=` on GET.
    private func authenticate(_ request: HTTPRequest) -> MailchimpProblem? {
        let headerKey = MailchimpKey.fromAuthorization(request.headers["Authorization"])
        let queryKey = request.method == "GET" ? request.queryValue("apikey") : nil
        if let headerKey, let queryKey, headerKey != queryKey { return .queryKeyConflict }
        guard let key = headerKey ?? queryKey else { return .apiKeyMissing }
        if key == apiKey {
            if revoked.withLock({ $0 }) { return .apiKeyDisabled }
        } else {
            guard let keyRevoked = addedKeys.withLock({ $0[key] }) else { return .apiKeyInvalid }
            if keyRevoked { return .apiKeyDisabled }
        }
        let host = request.host
        if host.hasSuffix(".api.mailchimp.com"), let hostDC = host.split(separator: ".").first,
           hostDC != Substring(dataCenter) {
            return .wrongDataCenter(dataCenter)
        }
        return nil
    }

    /// Runs `body` in one write transaction.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try database.write { db in try body(db) }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try database.reading { db in try body(db) }
    }

    private static func makeRoutes() -> RouteTable<FakeMailchimp> {
        var routes = RouteTable<FakeMailchimp>()
        AccountRoutes.register(in: &routes)
        MemberRoutes.register(in: &routes)
        BatchSubscribeRoutes.register(in: &routes)
        TagRoutes.register(in: &routes)
        SegmentMemberRoutes.register(in: &routes)
        ListRoutes.register(in: &routes)
        MergeFieldRoutes.register(in: &routes)
        WebhookRoutes.register(in: &routes)
        CampaignRoutes.register(in: &routes)
        ReportRoutes.register(in: &routes)
        ReportListRoutes.register(in: &routes)
        AutomationRoutes.register(in: &routes)
        InterestRoutes.register(in: &routes)
        BatchRoutes.register(in: &routes)
        return routes
    }
}

/// A request's `instance` (and `X-Request-Id`): a UUID-shaped id derived from the seed, method,
/// path, arrival time and body. Only error responses carry it, so it is derived on first use:
/// hashing a 500-member body for every successful request would be wasted.
struct RequestInstance: Sendable {
    private let derive: @Sendable () -> String

    init(seed: UInt64, request: HTTPRequest, arrival: SimTime) {
        derive = {
            StableHash.uuid(seed: seed, "instance", request.method, request.path, String(arrival.milliseconds),
                            String(StableHash.fnv1a64(String(decoding: request.body, as: UTF8.self))))
        }
    }

    init(fixed: String) { derive = { fixed } }

    var value: String { derive() }
}

extension MailchimpProblem {
    func response(instance: RequestInstance) -> HTTPResponse { response(instance: instance.value) }
}

/// API key helpers: `<32 hex>-<dc>`.
public enum MailchimpKey {
    /// The data centre after the last dash, e.g. `us6`.
    public static func dataCenter(of key: String) -> String? {
        guard let dash = key.lastIndex(of: "-") else { return nil }
        let dc = key[key.index(after: dash)...]
        return dc.isEmpty ? nil : String(dc)
    }

    /// Extracts the key from `Basic base64(user:key)`, `Bearer key` or `apikey key`.
    public static func fromAuthorization(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let scheme = parts[0].lowercased()
        let value = String(parts[1]).trimmingWhitespace()
        switch scheme {
        case "basic":
            guard let data = Data(base64Encoded: value) else { return nil }
            let text = String(decoding: data, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else { return nil }
            return String(text[text.index(after: colon)...])
        case "bearer", "apikey":
            return value
        default:
            return nil
        }
    }
}

/// A key ``FakeMailchimp/addAPIKey(_:)`` cannot add.
public struct MailchimpKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

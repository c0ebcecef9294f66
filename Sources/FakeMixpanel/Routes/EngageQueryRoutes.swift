import Foundation
import GRDB
import SimCore
import SimHTTP

/// The query API: `/engage` profile queries and `/cohorts/list`, under `/api/2.0` and `/api/query`,
/// by GET (query string) or POST (form body) alike (A15).
enum EngageQueryRoutes {
    static func register(in routes: inout RouteTable<FakeMixpanel>) {
        for prefix in ["/api/2.0", "/api/query"] {
            for method in ["GET", "POST"] {
                routes.on(method, prefix + "/engage") { fake, request, _ in try engage(fake, request) }
                routes.on(method, prefix + "/cohorts/list") { fake, request, _ in try cohortsList(fake, request) }
            }
        }
    }

    /// Query-string and form parameters together.
    static func parameters(_ request: HTTPRequest) -> [String: String] {
        var values: [String: String] = [:]
        for item in request.query { values[item.name] = item.value }
        if request.method == "POST", !request.body.isEmpty {
            for item in URLCoding.decodeForm(String(decoding: request.body, as: UTF8.self)) { values[item.name] = item.value }
        }
        return values
    }

    /// Checks the service account and the project it asks for.
    static func authorize(_ fake: FakeMixpanel, _ request: HTTPRequest, _ params: [String: String]) throws {
        guard fake.serviceAccount(for: request) != nil else { throw QueryError(status: 401, message: "Invalid credentials") }
        guard let raw = params["project_id"] else { throw QueryError(status: 400, message: "project_id is required") }
        guard Int64(raw) == fake.projectID else {
            throw QueryError(status: 403, message: "Permission denied: service account has no access to project \(raw)")
        }
    }

    private static func engage(_ fake: FakeMixpanel, _ request: HTTPRequest) throws -> HTTPResponse {
        let params = parameters(request)
        try authorize(fake, request, params)
        let page = try params["page"].map { raw -> Int in
            guard let value = Int(raw), value >= 0 else { throw QueryError(status: 400, message: "page must be a non-negative integer") }
            return value
        } ?? 0
        if page > 0 && params["session_id"] == nil {
            throw QueryError(status: 400, message: "session_id is required when page > 0")
        }
        if let raw = params["where"] ?? params["selector"] {
            do { _ = try SelectorExpression(parsing: raw) } catch {
                throw QueryError(status: 400, message: "invalid where: \(error)")
            }
        }
        let (sessionID, results) = try session(fake, params)
        let start = page * FakeMixpanel.pageSize
        let slice = start < results.count ? Array(results[start..<min(results.count, start + FakeMixpanel.pageSize)]) : []
        return .json(["page": .int(Int64(page)), "page_size": .int(Int64(FakeMixpanel.pageSize)),
                      "session_id": .string(sessionID), "status": "ok", "total": .int(Int64(results.count)),
                      "results": .array(slice)])
    }

    /// The full result set of a query, computed once per session.
    private static func session(_ fake: FakeMixpanel, _ params: [String: String]) throws -> (String, [JSONValue]) {
        if let id = params["session_id"], let cached = fake.sessions.withLock({ $0[id] }) { return (id, cached) }
        let results = try evaluate(fake, params)
        let key = params.filter { $0.key != "page" && $0.key != "session_id" }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        let id = params["session_id"] ?? "\(fake.clock.now.seconds)-" + StableHash.hex(seed: fake.seed, length: 6, "session", key).uppercased()
        fake.sessions.withLock { $0[id] = results }
        return (id, results)
    }

    private static func evaluate(_ fake: FakeMixpanel, _ params: [String: String]) throws -> [JSONValue] {
        let outputProperties = try params["output_properties"].map { raw -> [String] in
            guard let list = (try? JSONValue(parsing: raw))?.arrayValue?.compactMap(\.stringValue) else {
                throw QueryError(status: 400, message: "output_properties must be a JSON array of strings")
            }
            return list
        }
        let includeAllUsers = params["include_all_users"].map { $0 != "false" && $0 != "0" } ?? true
        let selector = try (params["where"] ?? params["selector"]).map { try SelectorExpression(parsing: $0) }
        var ids: [String]
        if let raw = params["filter_by_cohort"] {
            guard let filter = try? JSONValue(parsing: raw), let id = filter["id"]?.intValue ?? filter["id"]?.stringValue.flatMap({ Int64($0) }) else {
                throw QueryError(status: 400, message: "filter_by_cohort must be a JSON object like {\"id\": 123}")
            }
            guard let members = try fake.members(ofCohort: id) else { throw QueryError(status: 400, message: "cohort \(id) not found") }
            ids = members
        } else if let raw = params["distinct_ids"] {
            guard let list = (try? JSONValue(parsing: raw))?.arrayValue?.compactMap(\.stringValue) else {
                throw QueryError(status: 400, message: "distinct_ids must be a JSON array of strings")
            }
            ids = Array(Set(list.map(fake.queryID))).sorted()
        } else if let one = params["distinct_id"] {
            ids = [fake.queryID(one)]
        } else {
            ids = try fake.database.read { db in try String.fetchAll(db, sql: "SELECT distinct_id FROM profile ORDER BY distinct_id") }
                .filter { fake.profileOwner($0) != nil }
        }
        let profiles = try fake.database.read { db -> [String: ProfileRecord] in
            var found: [String: ProfileRecord] = [:]
            for id in ids {
                if let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM profile WHERE distinct_id = ?"), arguments: [id]) {
                    found[id] = ProfileRecord(row: row)
                }
            }
            return found
        }
        return ids.compactMap { id -> JSONValue? in
            guard let profile = profiles[id], !profile.properties.isEmpty else {
                // A user without profile properties matches no `where` on properties.
                return includeAllUsers && selector == nil ? ["$distinct_id": .string(id), "$properties": [:]] : nil
            }
            if let selector, !selector.matches(profile.properties) { return nil }
            var properties = profile.properties
            properties["$last_seen"] = .string(profile.lastSeen.naiveTimestamp)
            if let outputProperties { properties = properties.filter { outputProperties.contains($0.key) } }
            return ["$distinct_id": .string(id), "$properties": .object(properties)]
        }
    }

    private static func cohortsList(_ fake: FakeMixpanel, _ request: HTTPRequest) throws -> HTTPResponse {
        let params = parameters(request)
        try authorize(fake, request, params)
        let list = try fake.cohorts().map { cohort -> JSONValue in
            let count = try fake.members(ofCohort: cohort.id)?.count ?? 0
            return ["count": .int(Int64(count)), "is_visible": 1, "description": .string(cohort.description),
                    "created": .string(cohort.created.spacedTimestamp), "project_id": .int(fake.projectID),
                    "id": .int(cohort.id), "name": .string(cohort.name)]
        }
        return .json(.array(list))
    }
}

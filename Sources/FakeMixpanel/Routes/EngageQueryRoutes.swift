import Foundation
import GRDB
import SimCore
import SimHTTP

/// The query API: `/engage` profile queries and `/cohorts/list`, under `/api/2.0` and `/api/query`,
/// by GET (query string) or POST (form or JSON object body) alike (A15).
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

    /// The parameters of a query: the query string, and a form body or a JSON object body (the
    /// Airbyte connector posts `{"filter_by_cohort": …}` as JSON). A JSON body's members become
    /// parameters, strings as they are and other values as JSON text; a JSON body that is not one
    /// object gets 400 — never read as no parameters, which would answer every profile.
    static func queryParameters(_ request: HTTPRequest) throws -> [String: String] {
        guard request.method == "POST", !request.body.isEmpty, isJSON(request) else { return parameters(request) }
        var values: [String: String] = [:]
        for item in request.query { values[item.name] = item.value }
        let object: [String: JSONValue]?
        do { object = try JSONValue(parsing: request.body).objectValue } catch {
            throw QueryError(status: 400, message: "the JSON body is not valid JSON: \(error)")
        }
        guard let object else { throw QueryError(status: 400, message: "a JSON body must be one object of parameters") }
        for (name, value) in object { values[name] = value.stringValue ?? value.canonicalText }
        return values
    }

    /// A `Content-Type` naming JSON, or a body that starts like JSON.
    private static func isJSON(_ request: HTTPRequest) -> Bool {
        if request.headers["Content-Type"]?.lowercased().contains("json") == true { return true }
        let first = request.body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }

    /// Checks the service account and the project it asks for.
    static func authorize(_ fake: FakeMixpanel, _ request: HTTPRequest, _ params: [String: String]) throws {
        guard fake.serviceAccount(for: request) != nil else { throw QueryError(status: 401, message: "Invalid credentials") }
        guard let raw = params["project_id"] else { throw QueryError(status: 400, message: "project_id is required") }
        guard Int64(raw) == fake.projectID else {
            throw QueryError(status: 403, message: "Permission denied: service account has no access to project \(raw)")
        }
    }

    /// Parameters `/engage` implements; any other is refused rather than ignored.
    static let engageParameters: Set<String> = [
        "project_id", "where", "selector", "filter_by_cohort", "output_properties", "session_id", "page",
        "distinct_id", "distinct_ids", "include_all_users", "workspace_id", "page_size",
    ]

    private static func engage(_ fake: FakeMixpanel, _ request: HTTPRequest) throws -> HTTPResponse {
        let params = try queryParameters(request)
        try authorize(fake, request, params)
        let unknown = params.keys.filter { !engageParameters.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw QueryError(status: 400, message: "the CohortSim fake does not support the /engage parameter(s) \(unknown.joined(separator: ", ")); it refuses them rather than answer unfiltered")
        }
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
        let (sessionID, session) = try self.session(fake, params)
        let start = page * fake.querySettings.pageSize
        let positions = start < session.total ? start..<min(session.total, start + fake.querySettings.pageSize) : 0..<0
        // The canonical encoding of {page, page_size, results, session_id, status, total}, keys
        // in order, with the results already encoded by `render`.
        var body = Array(#"{"page":\#(page),"page_size":\#(fake.querySettings.pageSize),"results":"#.utf8)
        body += try render(fake, session, positions)
        body += Array(#","session_id":"#.utf8) + JSONValue.string(sessionID).canonicalBytes
        body += Array(#","status":"ok","total":\#(session.total)}"#.utf8)
        return HTTPResponse(status: 200, headers: ["Content-Type": "application/json; charset=utf-8"], body: Data(body))
    }

    /// The session a query pages through: the one named by `session_id`, else a new one
    /// (evaluated once, then stored under `session_id` or a new id).
    private static func session(_ fake: FakeMixpanel, _ params: [String: String]) throws -> (String, EngageSession) {
        if let id = params["session_id"], let cached = fake.engageSessions.withLock({ $0.session(named: id) }) { return (id, cached) }
        let key = params.filter { $0.key != "page" && $0.key != "session_id" }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        let id = params["session_id"] ?? "\(fake.clock.now.seconds)-" + StableHash.hex(seed: fake.seed, length: 6, "session", key).uppercased()
        return (id, try evaluate(fake, params, storingAs: id))
    }

    private static func cohortsList(_ fake: FakeMixpanel, _ request: HTTPRequest) throws -> HTTPResponse {
        let params = try queryParameters(request)
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

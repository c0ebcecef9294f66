import Foundation
import GRDB
import SimCore
import SimHTTP

/// The read-only endpoints a schema-discovering client calls before reading (the Airbyte
/// connector's `discover`): `/engage/properties`, `/events/properties/top`, `/funnels/list` and
/// `/funnels` under `/api/2.0` and `/api/query`, computed from the fake's profiles and events.
/// The fake's projects have no saved funnels.
enum DiscoveryRoutes {
    static func register(in routes: inout RouteTable<FakeMixpanel>) {
        for prefix in ["/api/2.0", "/api/query"] {
            routes.on("GET", prefix + "/engage/properties") { fake, request, _ in try engageProperties(fake, request) }
            routes.on("GET", prefix + "/events/properties/top") { fake, request, _ in try topEventProperties(fake, request) }
            routes.on("GET", prefix + "/funnels/list") { fake, request, _ in
                try EngageQueryRoutes.authorize(fake, request, EngageQueryRoutes.parameters(request))
                return .json([])
            }
            routes.on("GET", prefix + "/funnels") { fake, request, _ in
                let params = EngageQueryRoutes.parameters(request)
                try EngageQueryRoutes.authorize(fake, request, params)
                guard let id = params["funnel_id"] else { throw QueryError(status: 400, message: "funnel_id is required") }
                throw QueryError(status: 400, message: "funnel \(id) does not exist (the CohortSim fake's projects have no saved funnels)")
            }
        }
    }

    /// `{"results": {name: {"count", "type"}}, "status": "ok"}`: every profile property name of
    /// the project's visible profiles, `$last_seen` included, with how many profiles carry it.
    private static func engageProperties(_ fake: FakeMixpanel, _ request: HTTPRequest) throws -> HTTPResponse {
        try EngageQueryRoutes.authorize(fake, request, EngageQueryRoutes.parameters(request))
        let graph = fake.identity.withLock { $0.graph }
        var counts: [String: (count: Int, type: String)] = [:]
        try fake.database.reading { db in
            let rows = try Row.fetchCursor(try db.cachedStatement(sql: "SELECT distinct_id, properties FROM profile ORDER BY distinct_id"))
            while let row = try rows.next() {
                guard fake.profileOwner(row[0], in: graph) != nil else { continue }
                let text: String = row[1]
                let properties = ProfileRecord.properties(in: Data(text.utf8))
                for (name, value) in properties {
                    counts[name, default: (0, typeName(value))].count += 1
                }
                counts["$last_seen", default: (0, "datetime")].count += 1
            }
        }
        let results = counts.mapValues { JSONValue.object(["count": .int(Int64($0.count)), "type": .string($0.type)]) }
        return .json(["results": .object(results), "status": "ok"])
    }

    /// `{name: {"count"}}`: the `limit` (default 10) property names most often on `event`'s
    /// events (every event's when `event` is absent), most frequent first (ties by name).
    private static func topEventProperties(_ fake: FakeMixpanel, _ request: HTTPRequest) throws -> HTTPResponse {
        let params = EngageQueryRoutes.parameters(request)
        try EngageQueryRoutes.authorize(fake, request, params)
        // `query.openapi.yaml` marks `event` required, but the Airbyte connector's discover calls
        // this without it and works against the real service: without `event`, all events count.
        let event = params["event"]
        let limit = try params["limit"].map { raw -> Int in
            guard let value = Int(raw), value > 0 else { throw QueryError(status: 400, message: "limit must be a positive integer") }
            return value
        } ?? 10
        var counts: [String: Int] = [:]
        try fake.database.reading { db in
            let rows = try event.map { try Row.fetchCursor(try db.cachedStatement(sql: "SELECT properties FROM live_event WHERE name = ?"), arguments: [$0]) }
                ?? Row.fetchCursor(try db.cachedStatement(sql: "SELECT properties FROM live_event"))
            while let row = try rows.next() {
                let text: String = row[0]
                for name in ProfileRecord.properties(in: Data(text.utf8)).keys { counts[name, default: 0] += 1 }
            }
        }
        let top = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(limit)
        return .json(.object(Dictionary(uniqueKeysWithValues: top.map { ($0.key, JSONValue.object(["count": .int(Int64($0.value))])) })))
    }

    /// Mixpanel's name for a property's type.
    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .string: "string"
        case .int, .double: "number"
        case .bool: "boolean"
        case .array: "list"
        case .object: "object"
        case .null: "unknown"
        }
    }
}

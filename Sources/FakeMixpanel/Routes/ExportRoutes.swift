import Foundation
import GRDB
import SimStorage
import SimCore
import SimHTTP

/// `GET /api/2.0/export` (raw event export, served for any Mixpanel host, `data.mixpanel.com`
/// included): NDJSON of the events whose time falls in `from_date`…`to_date` (UTC days, both
/// inclusive), in time order, **not** deduplicated (§5.5).
enum ExportRoutes {
    static func register(in routes: inout RouteTable<FakeMixpanel>) {
        routes.on("GET", "/api/2.0/export") { fake, request, _ in try export(fake, request) }
    }

    private static func export(_ fake: FakeMixpanel, _ request: HTTPRequest) throws -> HTTPResponse {
        let params = EngageQueryRoutes.parameters(request)
        try EngageQueryRoutes.authorize(fake, request, params)
        guard let from = params["from_date"].flatMap(day), let to = params["to_date"].flatMap(day) else {
            throw QueryError(status: 400, message: "from_date and to_date are required, as yyyy-mm-dd")
        }
        let names = try params["event"].map { raw -> [String] in
            guard let list = (try? JSONValue(parsing: raw))?.arrayValue?.compactMap(\.stringValue) else {
                throw QueryError(status: 400, message: "event must be a JSON array of event names")
            }
            return list
        }
        let limit = try params["limit"].map { raw -> Int in
            guard let value = Int(raw), value > 0, value <= 100_000 else { throw QueryError(status: 400, message: "limit must be between 1 and 100000") }
            return value
        } ?? Int.max
        if params["where"] != nil { throw QueryError(status: 400, message: "the CohortSim fake does not evaluate 'where' expressions") }
        let inMilliseconds = params["time_in_ms"] == "true"
        let rows = try fake.database.reading { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM event WHERE time >= ? AND time < ? ORDER BY time, seq"), arguments: [from.milliseconds, to.adding(.days(1)).milliseconds])
        }
        let selected = rows.filter { names?.contains($0["name"] as String) ?? true }.prefix(limit)
        let body = selected.map { line(fake, $0, inMilliseconds: inMilliseconds) + "\n" }.joined()
        return HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Data(body.utf8))
    }

    /// One event as exported: the canonical `distinct_id`, the original one in
    /// `$distinct_id_before_identity` when a merge changed it, and `mp_processing_time_ms`.
    private static func line(_ fake: FakeMixpanel, _ row: Row, inMilliseconds: Bool) -> String {
        let text: String = row["properties"]
        var properties = (try? JSONValue(parsing: text))?.objectValue ?? [:]
        let stored: String = row["distinct_id"]
        let time = SimTime(milliseconds: row["time"])
        let canonical = fake.canonical(stored)
        properties["distinct_id"] = .string(canonical)
        if canonical != stored { properties["$distinct_id_before_identity"] = .string(stored) }
        properties["time"] = .int(inMilliseconds ? time.milliseconds : time.seconds)
        properties["$insert_id"] = (row["insert_id"] as String?).map { .string($0) } ?? .null
        properties["mp_processing_time_ms"] = .int(row["ingested"])
        return JSONValue.object(["event": .string(row["name"]), "properties": .object(properties)]).canonicalText
    }

    private static func day(_ text: String) -> SimTime? {
        text.count == 10 ? SimTime(iso8601: text) : nil
    }
}

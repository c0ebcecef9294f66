import GRDB
import SimCore
import SimHTTP

/// `/lists/{id}/webhooks`: registrations only; deliveries are recorded, never sent.
enum WebhookRoutes {
    static func register(in routes: inout RouteTable<FakeMailchimp>) {
        routes.on("GET", "/3.0/lists/{list}/webhooks") { fake, _, p in
            try fake.read { db in
                let list = try MemberRoutes.context(fake, db, p).list
                let hooks = try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM webhook WHERE list_id = ? ORDER BY id"), arguments: [list.id])
                return .json(["webhooks": .array(try hooks.map(render)), "list_id": .string(list.id),
                              "total_items": .int(Int64(hooks.count)), "_links": []])
            }
        }
        routes.on("POST", "/3.0/lists/{list}/webhooks") { fake, request, p in try create(fake, request, p) }
        routes.on("GET", "/3.0/lists/{list}/webhooks/{webhook}") { fake, _, p in
            try fake.read { db in .json(try render(try hook(fake, db, p))) }
        }
        routes.on("DELETE", "/3.0/lists/{list}/webhooks/{webhook}") { fake, _, p in
            try fake.write { db in
                let row = try hook(fake, db, p)
                try db.cachedStatement(sql: "DELETE FROM webhook WHERE list_id = ? AND id = ?").execute(arguments: [row["list_id"] as String, row["id"] as String])
                return HTTPResponse(status: 204)
            }
        }
    }

    private static func hook(_ fake: FakeMailchimp, _ db: Database, _ p: RouteParameters) throws -> Row {
        let list = try MemberRoutes.context(fake, db, p).list
        guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM webhook WHERE list_id = ? AND id = ?"), arguments: [list.id, p["webhook"]]) else {
            throw MailchimpProblem.notFound
        }
        return row
    }

    static func render(_ row: Row) throws -> JSONValue {
        ["id": .string(row["id"]), "url": .string(row["url"]), "events": try JSONValue(parsing: row["events"] as String),
         "sources": try JSONValue(parsing: row["sources"] as String), "list_id": .string(row["list_id"]), "_links": []]
    }

    /// Omitted `events` or `sources` keys default to `true` (undocumented; the web form checks all boxes).
    private static func flags(_ value: JSONValue?, _ keys: [String], field: String) throws -> JSONValue {
        var result: [String: JSONValue] = [:]
        let object = value?.objectValue ?? [:]
        for key in keys {
            guard let flag = object[key] else { result[key] = true; continue }
            guard let bool = flag.boolValue else { throw MailchimpProblem.schema("\(field).\(key)", "Schema describes boolean, \(flag.typeName) found instead") }
            result[key] = .bool(bool)
        }
        return .object(result)
    }

    private static func create(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let body = try RequestReading.object(request)
        guard let url = body["url"]?.stringValue, !url.isEmpty else { throw MailchimpProblem.schema("url", "Required property url was not present.") }
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), URLCoding.split(url).origin.count > 8 else {
            throw MailchimpProblem(status: 400, title: "Invalid Resource", detail: "The URL \(url) is not a valid URL.")
        }
        let events = try flags(body["events"], Webhooks.eventTypes, field: "events")
        let sources = try flags(body["sources"], WebhookSource.allCases.map(\.rawValue), field: "sources")
        return try fake.write { db in
            let list = try MemberRoutes.context(fake, db, p).list
            if try Row.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM webhook WHERE list_id = ? AND url = ?"), arguments: [list.id, url]) != nil {
                throw MailchimpProblem(status: 400, title: "Invalid Resource", detail: "Sorry, you can't use the same webhook URL twice.")
            }
            let id = StableHash.hex(seed: fake.seed, length: 10, "webhook", list.id, url)
            try db.cachedStatement(sql: "INSERT INTO webhook (list_id, id, url, events, sources) VALUES (?, ?, ?, ?, ?)").execute(arguments: [list.id, id, url, events.canonicalText, sources.canonicalText])
            return .json(try render(try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM webhook WHERE list_id = ? AND id = ?"), arguments: [list.id, id])!))
        }
    }
}

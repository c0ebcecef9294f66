import GRDB
import SimCore
import SimHTTP

/// Creating, changing and deleting audiences (`POST /lists`, `PATCH/DELETE /lists/{id}`).
enum ListRoutes {
    /// Settings stored per audience and shown over the rendering defaults.
    static let settingKeys = ["contact", "permission_reminder", "use_archive_bar", "campaign_defaults", "notify_on_subscribe",
                              "notify_on_unsubscribe", "email_type_option", "double_optin", "marketing_permissions", "visibility"]
    /// Required on create (reference §6): top-level properties and, inside the two objects, their fields.
    static let required: [(field: String, nested: [String])] = [
        ("name", []), ("contact", ["company", "address1", "city", "country"]), ("permission_reminder", []),
        ("email_type_option", []), ("campaign_defaults", ["from_name", "from_email", "subject", "language"]),
    ]

    static func register(in routes: inout RouteTable<FakeMailchimp>) {
        routes.on("POST", "/3.0/lists") { fake, request, _ in try create(fake, request) }
        routes.on("PATCH", "/3.0/lists/{list}") { fake, request, p in try update(fake, request, p) }
        routes.on("DELETE", "/3.0/lists/{list}") { fake, _, p in
            try fake.deleteAudience(id: p["list"])
            return HTTPResponse(status: 204)
        }
    }

    /// Missing required properties, as JSON-schema errors (`contact.city` for nested ones).
    static func missing(in body: [String: JSONValue]) -> [(field: String, message: String)] {
        var errors: [(field: String, message: String)] = []
        for (field, nested) in required {
            guard let value = body[field], value != .null, value != .string("") else {
                errors.append((field, "Required property \(field) was not present."))
                continue
            }
            for inner in nested where value.objectValue?[inner]?.stringValue == nil {
                errors.append(("\(field).\(inner)", "Required property \(inner) was not present."))
            }
        }
        return errors
    }

    private static func create(_ fake: FakeMailchimp, _ request: HTTPRequest) throws -> HTTPResponse {
        let body = try RequestReading.object(request)
        let errors = missing(in: body)
        guard errors.isEmpty else { throw MailchimpProblem.schema(errors) }
        let name = body["name"]?.stringValue ?? ""
        let settings = body.filter { settingKeys.contains($0.key) }
        return try fake.write { db in
            var n = 0
            var id = StableHash.hex(seed: fake.seed, length: 10, "list", name)
            while try MailchimpQueries.list(db, id) != nil {
                n += 1
                id = StableHash.hex(seed: fake.seed, length: 10, "list", name, String(n))
            }
            try db.cachedStatement(sql: "INSERT INTO list (id, web_id, name, date_created, merge_fields, settings) VALUES (?, ?, ?, ?, '', ?)").execute(arguments: [id, Int64(StableHash.value(seed: fake.seed, "list_web_id", id) % 900_000) + 100_000,
                                       name, fake.clock.now.mailchimpTimestamp, JSONValue.object(settings).canonicalText])
            for tag in ["FNAME", "LNAME", "ADDRESS", "PHONE"] { _ = try MergeFieldRecord.declared(tag, list: id).insert(db) }
            return .json(try Rendering.list(MailchimpQueries.list(db, id)!, db: db))
        }
    }

    private static func update(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let body = try RequestReading.object(request)
        if let name = body["name"], (name.stringValue ?? "").isEmpty {
            throw MailchimpProblem.schema("name", "This value should not be blank.")
        }
        return try fake.write { db in
            guard var list = try MailchimpQueries.list(db, p["list"]) else { throw MailchimpProblem.notFound }
            for (key, value) in body where settingKeys.contains(key) {
                list.settings = JSONValue.object(list.settings).setting(key, value).objectValue ?? list.settings
            }
            try db.cachedStatement(sql: "UPDATE list SET name = ?, settings = ? WHERE id = ?").execute(arguments: [body["name"]?.stringValue ?? list.name, JSONValue.object(list.settings).canonicalText, list.id])
            return .json(try Rendering.list(MailchimpQueries.list(db, list.id)!, db: db))
        }
    }
}

extension FakeMailchimp {
    /// Deletes an audience with its contacts, tags, merge fields and webhooks, as
    /// `DELETE /lists/{id}` does. Campaigns sent to it stay, with `list_is_active: false`.
    /// Throws 404 `Resource Not Found` when there is no such audience.
    public func deleteAudience(id: String) throws {
        try write { db in
            guard try MailchimpQueries.list(db, id) != nil else { throw MailchimpProblem.notFound }
            try db.cachedStatement(sql: "DELETE FROM list WHERE id = ?").execute(arguments: [id])
            try db.cachedStatement(sql: "DELETE FROM forgotten WHERE list_id = ?").execute(arguments: [id])
        }
    }
}

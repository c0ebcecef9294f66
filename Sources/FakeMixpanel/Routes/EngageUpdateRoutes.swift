import Foundation
import GRDB
import SimCore
import SimHTTP

/// `POST /engage`: profile updates (`$set`, `$set_once`, `$add`, `$union`, `$append`, `$remove`,
/// `$unset`, `$delete`), sent as a JSON array, form `data=<json>` or form `data=<base64 json>`.
enum EngageUpdateRoutes {
    /// Updates accepted in one request.
    static let maxUpdates = 2000

    static func register(in routes: inout RouteTable<FakeMixpanel>) {
        routes.on("POST", "/engage") { fake, request, _ in try update(fake, request) }
    }

    private static func update(_ fake: FakeMixpanel, _ request: HTTPRequest) throws -> HTTPResponse {
        let verbose = EngageQueryRoutes.parameters(request)["verbose"]  // SDKs send it in the form body
        func reply(_ error: String?) -> HTTPResponse {
            switch verbose {
            case "1": return .json(["status": error == nil ? 1 : 0, "error": error.map { .string($0) } ?? .null])
            case "2":
                // Recorded (rudderlabs/rudder-transformer#5060, 2026): a failure is HTTP 400 with the
                // error prefixed "Engage API error: ". The success body is assumed to be verbose=1's.
                guard let error else { return .json(["status": 1, "error": .null]) }
                return .json(["status": 0, "error": .string("Engage API error: " + error)], status: 400)
            default: return .text(error == nil ? "1" : "0")
            }
        }
        guard let updates = decodeUpdates(request) else { return reply("data, missing or empty") }
        guard updates.count <= maxUpdates else { return reply("too many updates: at most \(maxUpdates) per request") }
        let errors = try fake.applyProfileUpdates(updates)
        return reply(errors.first)
    }

    private static func decodeUpdates(_ request: HTTPRequest) -> [JSONValue]? {
        let contentType = request.headers["Content-Type"]?.lowercased() ?? ""
        var payload = request.body
        if contentType.contains("x-www-form-urlencoded") || request.body.first != UInt8(ascii: "[") && request.body.first != UInt8(ascii: "{") {
            guard let data = URLCoding.decodeForm(String(decoding: request.body, as: UTF8.self)).first(where: { $0.name == "data" })?.value else {
                return nil
            }
            payload = Data(data.utf8)
            if let first = data.first, first != "[" && first != "{", let decoded = Data(base64Encoded: data) { payload = decoded }
        }
        guard let value = try? JSONValue(parsing: payload) else { return nil }
        if let list = value.arrayValue { return list.isEmpty ? nil : list }
        return value.objectValue == nil ? nil : [value]
    }
}

extension FakeMixpanel {
    /// Applies profile updates; returns one message per rejected update (empty when all applied).
    public func applyProfileUpdates(_ updates: [JSONValue]) throws -> [String] {
        let now = clock.now
        return try database.write { db in
            var errors: [String] = []
            for update in updates {
                guard let object = update.objectValue else { errors.append("update is not an object"); continue }
                guard object["$token"]?.stringValue == token else { errors.append("$token, invalid or missing"); continue }
                guard let id = object["$distinct_id"]?.stringValue ?? object["$distinct_id"]?.intValue.map(String.init) else {
                    errors.append("$distinct_id, missing or empty"); continue
                }
                if let message = try apply(object, to: canonical(id), db: db, now: now) { errors.append(message) }
            }
            return errors
        }
    }

    private func apply(_ update: [String: JSONValue], to id: String, db: Database, now: SimTime) throws -> String? {
        let existing = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM profile WHERE distinct_id = ?"), arguments: [id]).map(ProfileRecord.init)
        if update["$delete"] != nil {
            try removeProfile(id, db)
            return nil
        }
        var properties = existing?.properties ?? [:]
        for (op, value) in update.sorted(by: { $0.key < $1.key }) where op.hasPrefix("$") && !["$token", "$distinct_id", "$time", "$ip", "$ignore_time", "$ignore_alias"].contains(op) {
            switch op {
            case "$set":
                guard let object = value.objectValue else { return "$set must be an object" }
                properties.merge(object) { _, new in new }
            case "$set_once":
                guard let object = value.objectValue else { return "$set_once must be an object" }
                properties.merge(object) { old, _ in old }
            case "$add":
                guard let object = value.objectValue else { return "$add must be an object" }
                for (key, delta) in object {
                    guard let d = delta.doubleValue else { return "$add values must be numbers" }
                    let sum = (properties[key]?.doubleValue ?? 0) + d
                    properties[key] = sum.rounded() == sum && abs(sum) < 9e15 ? .int(Int64(sum)) : .double(sum)
                }
            case "$union", "$append", "$remove":
                guard let object = value.objectValue else { return "\(op) must be an object" }
                for (key, item) in object {
                    var list = properties[key]?.arrayValue ?? []
                    let items = op == "$union" ? (item.arrayValue ?? [item]) : [item]
                    for element in items {
                        switch op {
                        case "$union": if !list.contains(element) { list.append(element) }
                        case "$append": list.append(element)
                        default: list.removeAll { $0 == element }
                        }
                    }
                    properties[key] = .array(list)
                }
            case "$unset":
                guard let names = value.arrayValue?.compactMap(\.stringValue) else { return "$unset must be a list of names" }
                for name in names { properties.removeValue(forKey: name) }
            default:
                return "unknown operation \(op)"
            }
        }
        let ignoreTime = update["$ignore_time"]?.boolValue ?? false
        let lastSeen = ignoreTime ? (existing?.lastSeen ?? now) : now
        try storeProfile(ProfileRecord(distinctID: id, properties: properties, lastSeen: lastSeen), db)
        return nil
    }
}

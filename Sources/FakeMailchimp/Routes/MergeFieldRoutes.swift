import GRDB
import SimCore
import SimHTTP

/// `/lists/{id}/merge-fields`: list, create, read and delete definitions.
enum MergeFieldRoutes {
    static func register(in routes: inout RouteTable<FakeMailchimp>) {
        routes.on("GET", "/3.0/lists/{list}/merge-fields") { fake, request, p in
            let (count, offset) = try RequestReading.paging(request)
            return try fake.read { db in
                let list = try MemberRoutes.context(fake, db, p).list
                var all = try MergeFieldRecord.all(db, list: list.id)
                if let type = request.queryValue("type") { all = all.filter { $0.type == type } }
                if let required = request.queryValue("required") { all = all.filter { String($0.required) == required.lowercased() } }
                return .json(["merge_fields": .array(all.dropFirst(offset).prefix(count).map(\.json)), "list_id": .string(list.id),
                              "total_items": .int(Int64(all.count)), "_links": []])
            }
        }
        routes.on("POST", "/3.0/lists/{list}/merge-fields") { fake, request, p in try create(fake, request, p) }
        routes.on("GET", "/3.0/lists/{list}/merge-fields/{merge}") { fake, _, p in
            try fake.read { db in .json(try field(fake, db, p).json) }
        }
        routes.on("DELETE", "/3.0/lists/{list}/merge-fields/{merge}") { fake, _, p in
            try fake.write { db in
                let found = try field(fake, db, p)
                try db.cachedStatement(sql: "DELETE FROM merge_field WHERE list_id = ? AND merge_id = ?").execute(arguments: [found.listID, found.mergeID])
                return HTTPResponse(status: 204)
            }
        }
    }

    private static func field(_ fake: FakeMailchimp, _ db: Database, _ p: RouteParameters) throws -> MergeFieldRecord {
        let list = try MemberRoutes.context(fake, db, p).list
        guard let id = Int64(p["merge"]),
              let found = try MergeFieldRecord.all(db, list: list.id).first(where: { $0.mergeID == id }) else {
            throw MailchimpProblem.notFound
        }
        return found
    }

    private static func create(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let body = try RequestReading.object(request)
        var errors: [(field: String, message: String)] = []
        let name = body["name"]?.stringValue ?? ""
        let type = body["type"]?.stringValue ?? ""
        if name.isEmpty { errors.append(("name", "Required property name was not present.")) }
        if type.isEmpty {
            errors.append(("type", "Required property type was not present."))
        } else if !MergeFieldRecord.types.contains(type) {
            errors.append(("type", "Data presented is not one of the accepted values: \(MergeFieldRecord.types.joined(separator: ", "))."))
        }
        let tag = body["tag"]?.stringValue?.uppercased()
        if let tag, tag.isEmpty || tag.count > 10 || !tag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            errors.append(("tag", "Merge tags must be 1 to 10 letters, digits or underscores."))
        }
        guard errors.isEmpty else { throw MailchimpProblem.schema(errors) }
        return try fake.write { db in
            let list = try MemberRoutes.context(fake, db, p).list
            let existing = try MergeFieldRecord.all(db, list: list.id)
            var record = MergeFieldRecord(listID: list.id, tag: "", name: name, type: type,
                                          required: body["required"]?.boolValue ?? false,
                                          options: body["options"]?.objectValue ?? [:])
            record.defaultValue = body["default_value"]?.stringValue ?? ""
            record.isPublic = body["public"]?.boolValue ?? true
            record.helpText = body["help_text"]?.stringValue ?? ""
            record.tag = tag ?? "MMERGE\((existing.map(\.mergeID).max() ?? 0) + 1)"
            if existing.contains(where: { $0.tag == record.tag }) {
                throw MailchimpProblem(status: 400, title: "Invalid Resource", detail: "A Merge Field with the tag \"\(record.tag)\" already exists for this list.")
            }
            return .json(try record.insert(db).json)
        }
    }
}

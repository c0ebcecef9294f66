import GRDB
import SimCore
import SimHTTP

/// Member tags, `tag-search` and static segments (the same objects as tags).
enum TagRoutes {
    static let maxSegmentItems = 500

    static func register(in routes: inout RouteTable<FakeMailchimp>) {
        routes.on("GET", "/3.0/lists/{list}/members/{hash}/tags") { fake, request, p in
            let (count, offset) = try RequestReading.paging(request)
            return try fake.read { db in
                let writes = try MemberRoutes.context(fake, db, p)
                guard let member = try writes.find(p["hash"]) else { throw MailchimpProblem.notFound }
                let tags = try MailchimpQueries.tags(db, list: member.listID, hash: member.hash)
                let page = tags.dropFirst(offset).prefix(count).map {
                    JSONValue.object(["id": .int($0.segment.id), "name": .string($0.segment.name), "date_added": .string($0.dateAdded)])
                }
                return .json(["tags": .array(Array(page)), "total_items": .int(Int64(tags.count)), "_links": []])
            }
        }
        routes.on("POST", "/3.0/lists/{list}/members/{hash}/tags") { fake, request, p in try postMemberTags(fake, request, p) }
        routes.on("GET", "/3.0/lists/{list}/tag-search") { fake, request, p in
            let (count, offset) = try RequestReading.paging(request)
            let prefix = (request.queryValue("name") ?? "").lowercased()
            return try fake.read { db in
                _ = try MemberRoutes.context(fake, db, p)
                let rows = try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM segment WHERE list_id = ? AND type = 'static' ORDER BY id"), arguments: [p["list"]]).map(SegmentRecord.init)
                    .filter { $0.name.lowercased().hasPrefix(prefix) }
                let page = rows.dropFirst(offset).prefix(count).map { JSONValue.object(["id": .int($0.id), "name": .string($0.name)]) }
                return .json(["tags": .array(Array(page)), "total_items": .int(Int64(rows.count))])
            }
        }
        routes.on("GET", "/3.0/lists/{list}/segments") { fake, request, p in
            try ListingParameters.refuseUnsupported(request, allowed: [
                "type", "since_created_at", "before_created_at", "since_updated_at", "before_updated_at", "sort_field", "sort_dir",
            ])
            try ListingParameters.sortField(request, accepted: ["created_at", "updated_at"])
            let sortField = request.queryValue("sort_field")
            let descending = try ListingParameters.descending(request)
            let (count, offset) = try RequestReading.paging(request)
            let created = try DateWindow(request, field: "created_at")
            let updated = try DateWindow(request, field: "updated_at")
            return try fake.read { db in
                _ = try MemberRoutes.context(fake, db, p)
                var rows = try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM segment WHERE list_id = ? ORDER BY id"), arguments: [p["list"]])
                    .map(SegmentRecord.init)
                    .filter { created.contains(timestamp: $0.createdAt) && updated.contains(timestamp: $0.updatedAt) }
                if let sortField {
                    let key: (SegmentRecord) -> SimTime? = { SimTime(iso8601: sortField == "created_at" ? $0.createdAt : $0.updatedAt) }
                    rows.sort { (key($0)?.milliseconds ?? 0, $0.id) < (key($1)?.milliseconds ?? 0, $1.id) }
                }
                if descending { rows.reverse() }
                if let type = request.queryValue("type") { rows = rows.filter { $0.type == type } }
                return .json(["segments": .array(try rows.dropFirst(offset).prefix(count).map { try Rendering.segment($0, db: db) }),
                              "list_id": .string(p["list"]), "total_items": .int(Int64(rows.count)), "_links": []])
            }
        }
        routes.on("POST", "/3.0/lists/{list}/segments") { fake, request, p in try createSegment(fake, request, p) }
        routes.on("GET", "/3.0/lists/{list}/segments/{segment}") { fake, _, p in
            try fake.read { db in .json(try Rendering.segment(try segment(fake, db, p), db: db)) }
        }
        routes.on("DELETE", "/3.0/lists/{list}/segments/{segment}") { fake, _, p in
            try fake.write { db in
                let s = try segment(fake, db, p)
                try db.cachedStatement(sql: "DELETE FROM segment WHERE list_id = ? AND id = ?").execute(arguments: [s.listID, s.id])
                return HTTPResponse(status: 204)
            }
        }
        routes.on("POST", "/3.0/lists/{list}/segments/{segment}") { fake, request, p in try batchSegment(fake, request, p) }
        routes.on("GET", "/3.0/lists/{list}/segments/{segment}/members") { fake, request, p in try segmentMembers(fake, request, p) }
    }

    private static func segment(_ fake: FakeMailchimp, _ db: Database, _ p: RouteParameters) throws -> SegmentRecord {
        _ = try MemberRoutes.context(fake, db, p)
        guard let id = Int64(p["segment"]), let s = try MailchimpQueries.segment(db, list: p["list"], id: id) else {
            throw MailchimpProblem.notFound
        }
        return s
    }

    private static func postMemberTags(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let body = try RequestReading.object(request)
        guard let tags = body["tags"]?.arrayValue else { throw MailchimpProblem.schema("tags", "Required property tags was not present.") }
        return try fake.write { db in
            let writes = try MemberRoutes.context(fake, db, p)
            guard let member = try writes.find(p["hash"]) else { throw MailchimpProblem.notFound }
            for tag in tags {
                guard let name = tag["name"]?.stringValue, let status = tag["status"]?.stringValue,
                      status == "active" || status == "inactive" else {
                    throw MailchimpProblem.schema("tags", "Each tag needs a name and a status of active or inactive.")
                }
                if status == "active" {
                    try writes.addTags([name], to: member)
                } else if let existing = try MailchimpQueries.tag(db, list: member.listID, name: name) {
                    _ = try MailchimpQueries.removeTag(db, list: member.listID, segment: existing.id, hash: member.hash)
                }
            }
            return HTTPResponse(status: 204)
        }
    }

    private static func createSegment(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let body = try RequestReading.object(request)
        guard let name = body["name"]?.stringValue, !name.isEmpty else { throw MailchimpProblem.schema("name", "This value should not be blank.") }
        guard body["options"] == nil else {
            throw MailchimpProblem(status: 400, title: "Invalid Resource", detail: "Saved (condition) segments are not supported by the CohortSim fake.")
        }
        let emails = body["static_segment"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return try fake.write { db in
            let writes = try MemberRoutes.context(fake, db, p)
            let created = try MailchimpQueries.createTag(db, list: writes.list.id, name: name, seed: fake.seed, now: writes.now)
            for email in emails {
                if let member = try writes.find(email) {
                    try MailchimpQueries.addTag(db, list: writes.list.id, segment: created.id, hash: member.hash, now: writes.now)
                }
            }
            return .json(try Rendering.segment(created, db: db))
        }
    }

    /// `POST /lists/{list}/segments/{segment}`: adds and removes tag members. The contacts named
    /// are read in one query; each add or remove is then one prepared statement.
    private static func batchSegment(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let body = try RequestReading.object(request)
        let toAdd = body["members_to_add"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let toRemove = body["members_to_remove"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard toAdd.count <= maxSegmentItems else { throw MailchimpProblem.tooManyItems("members_to_add") }
        guard toRemove.count <= maxSegmentItems else { throw MailchimpProblem.tooManyItems("members_to_remove") }
        let selection = FieldSelection(request)
        return try fake.write { db in
            let writes = try MemberRoutes.context(fake, db, p)
            guard let id = Int64(p["segment"]), let seg = try MailchimpQueries.segment(db, list: writes.list.id, id: id) else {
                throw MailchimpProblem.notFound
            }
            guard seg.type == "static" else { throw MailchimpProblem.staticSegmentMissing(p["segment"]) }
            let addedDetail = selection?.memberDetail(for: "members_added") ?? .full
            let removedDetail = selection?.memberDetail(for: "members_removed") ?? .full
            let addHashes = toAdd.map(MemberWrites.hash(forKey:))
            let removeHashes = toRemove.map(MemberWrites.hash(forKey:))
            // Tag changes never change a contact, so one read serves the whole request.
            let members = try BulkLookup(db: db, listID: writes.list.id).members(addHashes + removeHashes)
            let dateAdded = writes.now.spacedTimestamp
            var added: [JSONValue] = []
            var removed: [JSONValue] = []
            for hash in addHashes {
                guard let member = members[hash] else { continue }
                try MailchimpQueries.addTag(db, list: writes.list.id, segment: seg.id, hash: member.hash, dateAdded: dateAdded)
                added.append(try Rendering.member(member, db: db, detail: addedDetail, mergeTags: writes.mergeTags))
            }
            for hash in removeHashes {
                guard let member = members[hash] else { continue }
                if try MailchimpQueries.removeTag(db, list: writes.list.id, segment: seg.id, hash: member.hash) {
                    removed.append(try Rendering.member(member, db: db, detail: removedDetail, mergeTags: writes.mergeTags))
                }
            }
            return Rendering.response(["members_added": .array(added), "members_removed": .array(removed), "errors": [],
                                       "total_added": .int(Int64(added.count)), "total_removed": .int(Int64(removed.count)),
                                       "error_count": 0], selection: selection)
        }
    }

    /// Segments up to this size are paged from `member_tag` (read and sorted per page); larger ones
    /// by walking the audience in `(web_id, hash)` order with keyset cursors, which reads a whole
    /// listing in one pass however large it is.
    static let smallSegment = 10_000

    private static func segmentMembers(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let (count, offset) = try RequestReading.paging(request)
        var statuses = ["subscribed", "pending", "archived"]
        if RequestReading.bool(request, "include_cleaned") { statuses.append("cleaned") }
        if RequestReading.bool(request, "include_unsubscribed") { statuses.append("unsubscribed") }
        if RequestReading.bool(request, "include_transactional") { statuses.append("transactional") }
        let selection = FieldSelection(request)
        let detail = selection?.memberDetail(for: "members") ?? .full
        return try fake.read { db in
            let s = try segment(fake, db, p)
            let placeholders = statuses.map { _ in "?" }.joined(separator: ",")
            let arguments: [any DatabaseValueConvertible] = [s.listID, s.id] + statuses
            let tagged = "t.list_id = ? AND t.segment_id = ? AND m.status IN (\(placeholders))"
            // CROSS JOIN keeps member_tag the outer loop: the status index would otherwise make SQLite walk the audience.
            let join = "FROM member_tag t CROSS JOIN member m ON m.list_id = t.list_id AND m.hash = t.hash WHERE " + tagged
            // `+m.status` keeps the planner on the (list_id, web_id, hash) index, which gives the order.
            let pages = MemberPages(
                listing: "segment|\(s.listID)|\(s.id)|\(statuses.joined(separator: ","))",
                filter: "m.list_id = ? AND EXISTS (SELECT 1 FROM member_tag t WHERE t.list_id = m.list_id AND t.segment_id = ? AND t.hash = m.hash) AND +m.status IN (\(placeholders))",
                arguments: arguments, countSQL: "SELECT COUNT(*) " + join)
            let total = try pages.total(db, cursors: fake.listingCursors)
            let page: [MemberRecord]
            if total <= smallSegment {
                page = try Row.fetchAll(try db.cachedStatement(sql: "SELECT m.* " + join + " ORDER BY m.web_id, m.hash LIMIT ? OFFSET ?"),
                                        arguments: StatementArguments(arguments + [count, offset])).map(MemberRecord.init)
            } else {
                page = try pages.page(db, cursors: fake.listingCursors, count: count, offset: offset).members
            }
            let members = try page.map { try Rendering.member($0, db: db, detail: detail) }
            return Rendering.response(["members": .array(members), "total_items": .int(Int64(total)), "_links": []], selection: selection)
        }
    }
}

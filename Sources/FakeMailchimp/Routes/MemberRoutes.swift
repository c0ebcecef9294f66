import GRDB
import SimCore
import SimHTTP

/// `/lists/{list}/members…`: list, read, create, upsert (``MemberUpsert``), update, archive, delete permanently.
enum MemberRoutes {
    static func register(in routes: inout RouteTable<FakeMailchimp>) {
        routes.on("GET", "/3.0/lists/{list}/members") { fake, request, p in try listMembers(fake, request, p) }
        routes.on("POST", "/3.0/lists/{list}/members") { fake, request, p in try create(fake, request, p) }
        routes.on("GET", "/3.0/lists/{list}/members/{hash}") { fake, _, p in
            try fake.read { db in
                let writes = try context(fake, db, p)
                guard let member = try writes.find(p["hash"]) else { throw MailchimpProblem.notFound }
                return .json(try Rendering.member(member, db: db))
            }
        }
        routes.on("PUT", "/3.0/lists/{list}/members/{hash}") { fake, request, p in try MemberUpsert.handle(fake, request, p) }
        routes.on("PATCH", "/3.0/lists/{list}/members/{hash}") { fake, request, p in try update(fake, request, p) }
        routes.on("DELETE", "/3.0/lists/{list}/members/{hash}") { fake, _, p in try archive(fake, p) }
        routes.on("POST", "/3.0/lists/{list}/members/{hash}/actions/delete-permanent") { fake, _, p in
            try fake.write { db in
                let writes = try context(fake, db, p)
                guard let member = try writes.find(p["hash"]) else { throw MailchimpProblem.notFound }
                try writes.erase(member)
                return HTTPResponse(status: 204)
            }
        }
    }

    static func context(_ fake: FakeMailchimp, _ db: Database, _ p: RouteParameters) throws -> MemberWrites {
        guard let list = try MailchimpQueries.list(db, p["list"]) else { throw MailchimpProblem.notFound }
        return try MemberWrites(fake: fake, db: db, list: list, now: fake.clock.now)
    }

    /// `since_…` / `before_…` pairs of `GET …/members` and the columns they filter.
    static let memberWindows = [(parameter: "timestamp_opt", column: "timestamp_opt"), (parameter: "last_changed", column: "last_changed")]
    /// Filters the spec documents for `GET …/members` that the fake does not model (refused with 400).
    static let unsupportedMemberFilters = ["interest_category_id", "interest_ids", "interest_match", "since_last_campaign", "unsubscribed_since"]

    private static func listMembers(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let (count, offset) = try RequestReading.paging(request)
        let status = request.queryValue("status")
        if let status, !MailchimpWorld.statuses.contains(status) {
            throw MailchimpProblem.schema("status", "Data presented is not one of the accepted values: subscribed, unsubscribed, cleaned, pending, transactional, archived.")
        }
        let detail = FieldSelection(request)?.memberDetail(for: "members") ?? .full
        let query = try ListingQuery(request, windows: memberWindows, sortFields: ["timestamp_opt", "timestamp_signup", "last_changed"],
                                     unsupported: unsupportedMemberFilters)
        let filters = try MemberFilters(request)
        return try fake.read { db in
            let writes = try context(fake, db, p)
            let list = writes.list.id
            if !query.isDefault || !filters.isEmpty {
                let (page, total) = try MemberFilters.page(db, list: list, status: status, query: query, filters: filters, count: count, offset: offset)
                let members = try page.map { try Rendering.member($0, db: db, detail: detail, mergeTags: writes.mergeTags) }
                return Rendering.response(["members": .array(members), "list_id": .string(list),
                                           "total_items": .int(Int64(total)), "_links": []], selection: FieldSelection(request))
            }
            let pages = status.map { status in
                MemberPages(listing: "members|\(list)|\(status)", filter: "m.list_id = ? AND m.status = ?", arguments: [list, status],
                            countSQL: "SELECT COUNT(*) FROM member WHERE list_id = ? AND status = ?")
            } ?? MemberPages(listing: "members|\(list)", filter: "m.list_id = ?", arguments: [list],
                             countSQL: "SELECT COUNT(*) FROM member WHERE list_id = ?")
            let (page, total) = try pages.page(db, cursors: fake.listingCursors, count: count, offset: offset)
            let members = try page.map { try Rendering.member($0, db: db, detail: detail, mergeTags: writes.mergeTags) }
            return Rendering.response(["members": .array(members), "list_id": .string(list),
                                       "total_items": .int(Int64(total)), "_links": []], selection: FieldSelection(request))
        }
    }

    private static func create(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let body = try RequestReading.object(request)
        guard let email = body["email_address"]?.stringValue else { throw MailchimpProblem.schema("email_address", "This value should not be blank.") }
        guard let status = body["status"]?.stringValue else { throw MailchimpProblem.schema("status", "This value should not be blank.") }
        try MemberWrites.checkStatus(status, field: "status")
        let mergeFields = body["merge_fields"]?.objectValue ?? [:]
        let tags = body["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return try fake.write { db in
            let writes = try context(fake, db, p)
            try writes.checkAddress(email)
            let skip = RequestReading.bool(request, "skip_merge_validation")
            if var existing = try writes.find(email) {
                guard existing.status == "archived" else { throw MailchimpProblem.memberExists(email) }
                let fields = try writes.mergeFields(mergeFields, skipValidation: skip, creating: false)
                try writes.transition(&existing, to: status)
                existing.mergeFields.merge(fields) { _, new in new }
                try writes.save(existing)
                try writes.addTags(tags, to: existing)
                return .json(try Rendering.member(existing, db: db))
            }
            let fields = try writes.mergeFields(mergeFields, skipValidation: skip, creating: true)
            let member = try writes.create(email: email, status: status, mergeFields: fields, tags: tags)
            return .json(try Rendering.member(member, db: db))
        }
    }

    private static func update(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let body = try RequestReading.object(request)
        let status = body["status"]?.stringValue
        try MemberWrites.checkStatus(status, field: "status")
        let mergeFields = body["merge_fields"]?.objectValue ?? [:]
        return try fake.write { db in
            let writes = try context(fake, db, p)
            guard var existing = try writes.find(p["hash"]) else { throw MailchimpProblem.notFound }
            let fields = try writes.mergeFields(mergeFields, skipValidation: RequestReading.bool(request, "skip_merge_validation"),
                                                creating: false)
            if let status { try writes.transition(&existing, to: status) }
            existing.mergeFields.merge(fields) { _, new in new }
            existing.lastChanged = writes.now.mailchimpTimestamp
            try writes.save(existing)
            return .json(try Rendering.member(existing, db: db))
        }
    }

    private static func archive(_ fake: FakeMailchimp, _ p: RouteParameters) throws -> HTTPResponse {
        try fake.write { db in
            let writes = try context(fake, db, p)
            guard let existing = try writes.find(p["hash"]) else { throw MailchimpProblem.notFound }
            try writes.archive(existing)
            return HTTPResponse(status: 204)
        }
    }
}

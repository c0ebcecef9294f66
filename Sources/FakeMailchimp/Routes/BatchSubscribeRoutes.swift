import GRDB
import SimCore
import SimHTTP

/// `POST /lists/{list}`: batch subscribe. Per-member failures never fail the request.
///
/// The contacts and permanently deleted addresses a request names are read in two set-based
/// queries before its members are applied in order; each create or update then costs one upsert
/// (plus its webhook deliveries and tags, if any). Later members see the effect of earlier ones
/// through `known`, exactly as if each had re-read the database.
enum BatchSubscribeRoutes {
    static let maxMembers = 500

    static func register(in routes: inout RouteTable<FakeMailchimp>) {
        routes.on("POST", "/3.0/lists/{list}") { fake, request, p in try batch(fake, request, p) }
    }

    /// The request's options, read from the body and the query.
    private struct Options {
        var updateExisting: Bool
        var syncTags: Bool
        var skipValidation: Bool
        var skipDuplicateCheck: Bool
        /// The planted misbehaviour ``MailchimpWorld/Sabotage/statusIfNewOverwritesExisting``.
        var statusIfNewOverwrites = false
    }

    private struct Outcome {
        var created: [JSONValue] = []
        var updated: [JSONValue] = []
        var errors: [JSONValue] = []
        var createdDetail = MemberDetail.full
        var updatedDetail = MemberDetail.full

        mutating func fail(_ email: String, _ message: String, code: String = "ERROR_GENERIC", field: String = "", fieldMessage: String = "") {
            errors.append(["email_address": .string(email), "error": .string(message), "error_code": .string(code),
                           "field": .string(field), "field_message": .string(fieldMessage)])
        }

        var json: JSONValue {
            ["new_members": .array(created), "updated_members": .array(updated), "errors": .array(errors),
             "total_created": .int(Int64(created.count)), "total_updated": .int(Int64(updated.count)),
             "error_count": .int(Int64(errors.count)), "_links": []]
        }
    }

    /// What the request already knows about the contacts it names.
    private struct Known {
        /// Stored contacts by hash, updated as the request writes them.
        var members: [String: MemberRecord]
        let forgotten: Set<String>
    }

    private static func batch(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let body = try RequestReading.object(request)
        guard let members = body["members"]?.arrayValue else {
            throw MailchimpProblem.schema("members", "Required property members was not present.")
        }
        guard members.count <= maxMembers else { throw MailchimpProblem.tooManyItems("members") }
        try checkStatuses(members)
        let options = Options(updateExisting: body["update_existing"]?.boolValue ?? false,
                              syncTags: body["sync_tags"]?.boolValue ?? false,
                              skipValidation: RequestReading.bool(request, "skip_merge_validation"),
                              skipDuplicateCheck: RequestReading.bool(request, "skip_duplicate_check"),
                              statusIfNewOverwrites: fake.sabotage.contains(.statusIfNewOverwritesExisting))
        let selection = FieldSelection(request)
        // An address's hash, computed once: it keys both the lookups and the writes.
        let hashes = members.map { $0["email_address"]?.stringValue.map(subscriberHash) }
        return try fake.write { db in
            let writes = try MemberRoutes.context(fake, db, p)
            let lookup = BulkLookup(db: db, listID: writes.list.id)
            let named = hashes.compactMap { $0 }
            var known = Known(members: try lookup.members(named), forgotten: try lookup.forgotten(named))
            var outcome = Outcome()
            outcome.createdDetail = selection?.memberDetail(for: "new_members") ?? .full
            outcome.updatedDetail = selection?.memberDetail(for: "updated_members") ?? .full
            var seen: Set<String> = []
            for (item, hash) in zip(members, hashes) {
                guard let object = item.objectValue, let email = object["email_address"]?.stringValue, let hash else {
                    outcome.fail("", "Please provide a valid email address.")
                    continue
                }
                let key = email.lowercased()
                if seen.contains(key) {
                    if !options.skipDuplicateCheck { outcome.fail(email, "\(email) appears more than once in this request.") }
                    continue
                }
                seen.insert(key)
                do {
                    try apply(object, email: email, hash: hash, writes: writes, options: options, known: &known, outcome: &outcome)
                } catch let problem as MailchimpProblem {
                    let field = problem.fieldErrors.first
                    outcome.fail(email, problem.detail, field: field?.field ?? "", fieldMessage: field?.message ?? "")
                }
            }
            return Rendering.response(outcome.json, selection: selection)
        }
    }

    /// A `status` or `status_if_new` outside the accepted values fails the whole request with a
    /// schema error on `members.item:<n>.<key>` (recorded: brandonseydel/MailChimp.Net issue #567,
    /// 2021, for `"status": ""`), not only that member. `null` counts as absent.
    private static func checkStatuses(_ members: [JSONValue]) throws {
        var errors: [(field: String, message: String)] = []
        for (index, item) in members.enumerated() {
            for key in ["status", "status_if_new"] {
                guard let value = item.objectValue?[key], value != .null else { continue }
                if let status = value.stringValue, MemberWrites.writableStatuses.contains(status) { continue }
                errors.append(("members.item:\(index).\(key)", MemberWrites.statusMessage))
            }
        }
        guard errors.isEmpty else { throw MailchimpProblem.schema(errors) }
    }

    /// Applies one member of the batch; a `MailchimpProblem` becomes that member's error entry.
    private static func apply(_ object: [String: JSONValue], email: String, hash: String, writes: MemberWrites, options: Options,
                              known: inout Known, outcome: inout Outcome) throws {
        let status = object["status"]?.stringValue
        let statusIfNew = object["status_if_new"]?.stringValue
        let mergeFields = object["merge_fields"]?.objectValue ?? [:]
        let tags = object["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        try MemberWrites.checkStatus(status, field: "status")
        try MemberWrites.checkStatus(statusIfNew, field: "status_if_new")
        guard status != nil || statusIfNew != nil else { throw MailchimpProblem.schema("status", "This value should not be blank.") }
        try writes.checkAddress(email) { known.forgotten.contains(hash) }
        guard let previous = known.members[hash] else {
            let fields = try writes.mergeFields(mergeFields, skipValidation: options.skipValidation, creating: true)
            let member = try writes.create(email: email, status: status ?? statusIfNew!, mergeFields: fields, tags: tags)
            known.members[hash] = member
            outcome.created.append(try Rendering.member(member, db: writes.db, detail: outcome.createdDetail, mergeTags: writes.mergeTags))
            return
        }
        guard options.updateExisting else {
            outcome.fail(email, "\(email) is already a list member, do you want to update? please provide update_existing:true in the request body",
                         code: "ERROR_CONTACT_EXISTS")
            return
        }
        let fields = try writes.mergeFields(mergeFields, skipValidation: options.skipValidation, creating: false)
        var existing = previous
        if let status {
            try writes.transition(&existing, to: status)
        } else if options.statusIfNewOverwrites, let statusIfNew, existing.status != statusIfNew {
            existing.status = statusIfNew  // planted: what U25 would mean if it were wrong
        }
        existing.mergeFields.merge(fields) { _, new in new }
        existing.lastChanged = writes.timestamp
        try writes.save(existing, previous: previous)
        known.members[hash] = existing
        if options.syncTags { try writes.replaceTags(tags, on: existing) } else { try writes.addTags(tags, to: existing) }
        outcome.updated.append(try Rendering.member(existing, db: writes.db, detail: outcome.updatedDetail, mergeTags: writes.mergeTags))
    }
}

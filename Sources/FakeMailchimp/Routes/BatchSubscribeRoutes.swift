import GRDB
import SimCore
import SimHTTP

/// `POST /lists/{list}`: batch subscribe. Per-member failures never fail the request.
enum BatchSubscribeRoutes {
    static let maxMembers = 500

    static func register(in routes: inout RouteTable<FakeMailchimp>) {
        routes.on("POST", "/3.0/lists/{list}") { fake, request, p in try batch(fake, request, p) }
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
    }

    private static func batch(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let body = try RequestReading.object(request)
        guard let members = body["members"]?.arrayValue else {
            throw MailchimpProblem.schema("members", "Required property members was not present.")
        }
        guard members.count <= maxMembers else { throw MailchimpProblem.tooManyItems("members") }
        let updateExisting = body["update_existing"]?.boolValue ?? false
        let syncTags = body["sync_tags"]?.boolValue ?? false
        let skipValidation = RequestReading.bool(request, "skip_merge_validation")
        let skipDuplicateCheck = RequestReading.bool(request, "skip_duplicate_check")
        return try fake.write { db in
            let writes = try MemberRoutes.context(fake, db, p)
            var outcome = Outcome()
            let selection = FieldSelection(request)
            outcome.createdDetail = selection?.memberDetail(for: "new_members") ?? .full
            outcome.updatedDetail = selection?.memberDetail(for: "updated_members") ?? .full
            var seen: Set<String> = []
            for item in members {
                guard let object = item.objectValue, let email = object["email_address"]?.stringValue else {
                    outcome.fail("", "Please provide a valid email address.")
                    continue
                }
                let key = email.lowercased()
                if seen.contains(key) {
                    if !skipDuplicateCheck { outcome.fail(email, "\(email) appears more than once in this request.") }
                    continue
                }
                seen.insert(key)
                try apply(object, email: email, writes: writes, updateExisting: updateExisting, syncTags: syncTags,
                          skipValidation: skipValidation, outcome: &outcome, db: db)
            }
            return .json(["new_members": .array(outcome.created), "updated_members": .array(outcome.updated),
                          "errors": .array(outcome.errors), "total_created": .int(Int64(outcome.created.count)),
                          "total_updated": .int(Int64(outcome.updated.count)), "error_count": .int(Int64(outcome.errors.count)),
                          "_links": []])
        }
    }

    private static func apply(_ object: [String: JSONValue], email: String, writes: MemberWrites, updateExisting: Bool,
                              syncTags: Bool, skipValidation: Bool, outcome: inout Outcome, db: Database) throws {
        let status = object["status"]?.stringValue
        let statusIfNew = object["status_if_new"]?.stringValue
        let mergeFields = object["merge_fields"]?.objectValue ?? [:]
        let tags = object["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        do {
            try MemberWrites.checkStatus(status, field: "status")
            try MemberWrites.checkStatus(statusIfNew, field: "status_if_new")
            guard status != nil || statusIfNew != nil else { throw MailchimpProblem.schema("status", "This value should not be blank.") }
            try writes.checkAddress(email)
            guard var existing = try writes.find(email) else {
                let fields = try writes.mergeFields(mergeFields, skipValidation: skipValidation, creating: true)
                let member = try writes.create(email: email, status: status ?? statusIfNew!, mergeFields: fields, tags: tags)
                outcome.created.append(try Rendering.member(member, db: db, detail: outcome.createdDetail))
                return
            }
            guard updateExisting else {
                outcome.fail(email, "\(email) is already a list member, do you want to update? please provide update_existing:true in the request body",
                             code: "ERROR_CONTACT_EXISTS")
                return
            }
            let fields = try writes.mergeFields(mergeFields, skipValidation: skipValidation, creating: false)
            if let status { try writes.transition(&existing, to: status) }
            existing.mergeFields.merge(fields) { _, new in new }
            existing.lastChanged = writes.now.mailchimpTimestamp
            try writes.save(existing)
            if syncTags { try writes.replaceTags(tags, on: existing) } else { try writes.addTags(tags, to: existing) }
            outcome.updated.append(try Rendering.member(existing, db: db, detail: outcome.updatedDetail))
        } catch let problem as MailchimpProblem {
            let field = problem.fieldErrors.first
            outcome.fail(email, problem.detail, field: field?.field ?? "", fieldMessage: field?.message ?? "")
        }
    }
}

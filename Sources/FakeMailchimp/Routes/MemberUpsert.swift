import GRDB
import SimCore
import SimHTTP

/// `PUT /lists/{list}/members/{hash}`: Mailchimp's upsert (`docs/fidelity.md`, "PUT upsert").
///
/// - The path names an existing member: the body needs neither `email_address` nor a status;
///   `merge_fields` changes only the fields named (`""` clears one); `status` changes the status
///   under the compliance rules of PATCH; `status_if_new` is ignored; an `email_address` whose
///   hash differs moves the member to that address (the old hash then answers 404).
/// - The path names nobody: the body's address is created with `status_if_new` (else `status`);
///   the path's hash stays unknown when it is another address's.
/// - A body address already held by another member answers 400 `Member Exists`.
enum MemberUpsert {
    /// What the body asks for, read before the transaction.
    struct Body {
        var email: String?
        var status: String?
        var statusIfNew: String?
        var mergeFields: [String: JSONValue]

        init(_ object: [String: JSONValue]) throws {
            email = try Self.text(object, "email_address")
            status = try Self.text(object, "status")
            statusIfNew = try Self.text(object, "status_if_new")
            try MemberWrites.checkStatus(status, field: "status")
            try MemberWrites.checkStatus(statusIfNew, field: "status_if_new")
            switch object["merge_fields"] {
            case nil, .null?: mergeFields = [:]
            case .object(let fields)?: mergeFields = fields
            case _?: throw MailchimpProblem.schema("merge_fields", "Schema describes object, \(Self.kind(object["merge_fields"]!)) found instead")
            }
        }

        /// A string member of the body; `null` counts as absent, any other type is a schema error.
        private static func text(_ object: [String: JSONValue], _ key: String) throws -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            case let other?: throw MailchimpProblem.schema(key, "Schema describes string, \(kind(other)) found instead")
            }
        }

        private static func kind(_ value: JSONValue) -> String {
            switch value {
            case .array: "array"
            case .object: "object"
            case .bool: "boolean"
            case .string: "string"
            case .null: "null"
            default: "number"
            }
        }
    }

    static func handle(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let body = try Body(try RequestReading.object(request))
        let skip = RequestReading.bool(request, "skip_merge_validation")
        return try fake.write { db in
            let writes = try MemberRoutes.context(fake, db, p)
            let member = try writes.find(p["hash"]).map { try update($0, body, writes: writes, skip: skip) }
                ?? create(body, writes: writes, skip: skip)
            return .json(try Rendering.member(member, db: db))
        }
    }

    /// An existing member: every change is checked before anything is saved.
    private static func update(_ existing: MemberRecord, _ body: Body, writes: MemberWrites, skip: Bool) throws -> MemberRecord {
        let fields = try writes.mergeFields(body.mergeFields, skipValidation: skip, creating: false)
        var member = existing
        if let status = body.status { try writes.transition(&member, to: status) }
        member.mergeFields.merge(fields) { _, new in new }
        member.lastChanged = writes.timestamp
        guard let email = body.email, subscriberHash(email) != existing.hash else {
            if let email = body.email { member.email = email }
            try writes.save(member, previous: existing)
            return member
        }
        try writes.checkAddress(email)
        if try writes.find(email) != nil { throw MailchimpProblem.memberExists(email) }
        try writes.save(member, previous: existing)
        return try writes.move(member, to: email)
    }

    /// Nobody at the path: the body's address is created, unless another member already has it.
    private static func create(_ body: Body, writes: MemberWrites, skip: Bool) throws -> MemberRecord {
        guard let email = body.email else { throw MailchimpProblem.schema("email_address", "This value should not be blank.") }
        try writes.checkAddress(email)
        if try writes.find(email) != nil { throw MailchimpProblem.memberExists(email) }
        guard let status = body.statusIfNew ?? body.status else {
            throw MailchimpProblem.schema("status_if_new", "This value should not be blank.")
        }
        let fields = try writes.mergeFields(body.mergeFields, skipValidation: skip, creating: true)
        return try writes.create(email: email, status: status, mergeFields: fields, tags: [])
    }
}

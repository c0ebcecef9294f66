import GRDB
import SimCore
import SimHTTP

/// Single-member static-segment writes and segment updates (issue 14):
/// `POST /lists/{list}/segments/{segment}/members`, `DELETE …/members/{hash}` and
/// `PATCH /lists/{list}/segments/{segment}` (rename, static member replacement).
enum SegmentMemberRoutes {
    static func register(in routes: inout RouteTable<FakeMailchimp>) {
        routes.on("PATCH", "/3.0/lists/{list}/segments/{segment}") { fake, request, p in try update(fake, request, p) }
        routes.on("POST", "/3.0/lists/{list}/segments/{segment}/members") { fake, request, p in try addMember(fake, request, p) }
        routes.on("DELETE", "/3.0/lists/{list}/segments/{segment}/members/{hash}") { fake, _, p in try removeMember(fake, p) }
    }

    /// The static segment a member call names: an unknown id is 404, a saved segment the
    /// recorded "A Static Segment with an id of … does not exist" error.
    private static func staticSegment(_ db: Database, _ writes: MemberWrites, _ p: RouteParameters) throws -> SegmentRecord {
        guard let id = Int64(p["segment"]), let s = try MailchimpQueries.segment(db, list: writes.list.id, id: id) else {
            throw MailchimpProblem.notFound
        }
        guard s.type == "static" else { throw MailchimpProblem.staticSegmentMissing(p["segment"]) }
        return s
    }

    /// Adds one contact of the audience to a static segment and answers with the member. A body
    /// `status` (mailchimp3 sends one) is ignored: the call changes tags, never the contact.
    private static func addMember(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let body = try RequestReading.object(request)
        guard let email = body["email_address"]?.stringValue else {
            throw MailchimpProblem.schema("email_address", "Required property email_address was not present.")
        }
        return try fake.write { db in
            let writes = try MemberRoutes.context(fake, db, p)
            let seg = try staticSegment(db, writes, p)
            // Decision (not recorded): an address that is not on the audience is 404, as `POST …/tags` for a non-member is.
            guard let member = try MailchimpQueries.member(db, list: writes.list.id, hash: subscriberHash(email)) else {
                throw MailchimpProblem.notFound
            }
            try MailchimpQueries.addTag(db, list: writes.list.id, segment: seg.id, hash: member.hash, now: writes.now)
            return .json(try Rendering.member(member, db: db, mergeTags: writes.mergeTags))
        }
    }

    /// Removes one contact from a static segment: 204. The path takes the subscriber hash only
    /// (reference §6); a contact that is not on the audience, or not in the segment, is 404.
    private static func removeMember(_ fake: FakeMailchimp, _ p: RouteParameters) throws -> HTTPResponse {
        try fake.write { db in
            let writes = try MemberRoutes.context(fake, db, p)
            let seg = try staticSegment(db, writes, p)
            let hash = p["hash"].lowercased()
            guard hash.utf8.count == 32, hash.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
                  try MailchimpQueries.removeTag(db, list: writes.list.id, segment: seg.id, hash: hash) else {
                throw MailchimpProblem.notFound
            }
            return HTTPResponse(status: 204)
        }
    }

    /// Renames a segment (`name` is required, as the spec and mailchimp3 have it) and, for a static
    /// segment, replaces its members with the `static_segment` addresses that are on the audience.
    private static func update(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let body = try RequestReading.object(request)
        guard let nameValue = body["name"] else { throw MailchimpProblem.schema("name", "Required property name was not present.") }
        guard let name = nameValue.stringValue, !name.isEmpty else { throw MailchimpProblem.schema("name", "This value should not be blank.") }
        guard body["options"] == nil else {
            throw MailchimpProblem(status: 400, title: "Invalid Resource", detail: "Saved (condition) segments are not supported by the CohortSim fake.")
        }
        let replacement: [String]?
        switch body["static_segment"] {
        case nil: replacement = nil
        case .array(let items)?:
            replacement = try items.map { item in
                guard let email = item.stringValue else {
                    throw MailchimpProblem.schema("static_segment", "Schema describes string, \(item.typeName) found instead")
                }
                return email
            }
        case let other?:
            throw MailchimpProblem.schema("static_segment", "Schema describes array, \(other.typeName) found instead")
        }
        return try fake.write { db in
            let writes = try MemberRoutes.context(fake, db, p)
            guard let id = Int64(p["segment"]), var seg = try MailchimpQueries.segment(db, list: writes.list.id, id: id) else {
                throw MailchimpProblem.notFound
            }
            if let replacement {
                guard seg.type == "static" else { throw MailchimpProblem.staticSegmentMissing(p["segment"]) }
                try db.cachedStatement(sql: "DELETE FROM member_tag WHERE list_id = ? AND segment_id = ?").execute(arguments: [seg.listID, seg.id])
                let members = try BulkLookup(db: db, listID: writes.list.id).members(replacement.map(subscriberHash))
                for hash in replacement.map(subscriberHash) where members[hash] != nil {
                    try MailchimpQueries.addTag(db, list: seg.listID, segment: seg.id, hash: hash, now: writes.now)
                }
            }
            seg.name = name
            seg.updatedAt = writes.now.mailchimpTimestamp
            try db.cachedStatement(sql: "UPDATE segment SET name = ?, updated_at = ? WHERE list_id = ? AND id = ?")
                .execute(arguments: [seg.name, seg.updatedAt, seg.listID, seg.id])
            return .json(try Rendering.segment(seg, db: db))
        }
    }
}

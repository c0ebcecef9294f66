import GRDB
import SimCore
import SimHTTP

/// The member-listing filters on fields the fake keeps constant or stores as is: `email_type`
/// (every contact is `html`), `vip_only` (no contact is VIP) and `unique_email_id`; and the
/// filtered or sorted page itself, read without the keyset cursors of the default order.
struct MemberFilters {
    /// `email_type=text` or `vip_only=true`: no contact of the fake can match.
    var matchesNone = false
    var uniqueEmailID: String?

    init(_ request: HTTPRequest) throws {
        if let type = request.queryValue("email_type") {
            guard type == "html" || type == "text" else {
                throw MailchimpProblem.schema("email_type", "Data presented is not one of the accepted values: html, text.")
            }
            matchesNone = type == "text"
        }
        if RequestReading.bool(request, "vip_only") { matchesNone = true }
        uniqueEmailID = request.queryValue("unique_email_id")
    }

    var isEmpty: Bool { !matchesNone && uniqueEmailID == nil }

    /// One page of the audience's members with `status` (any when nil) passing `query` and the
    /// filters, in `sort_field` order (ties, and no `sort_field`, in the default `(web_id, hash)` order).
    static func page(_ db: Database, list: String, status: String?, query: ListingQuery, filters: MemberFilters,
                     count: Int, offset: Int) throws -> (members: [MemberRecord], total: Int) {
        if filters.matchesNone { return ([], 0) }
        var filter = "m.list_id = ?"
        var arguments: [any DatabaseValueConvertible] = [list]
        if let status {
            filter += " AND m.status = ?"
            arguments.append(status)
        }
        if let id = filters.uniqueEmailID {
            filter += " AND m.unique_email_id = ?"
            arguments.append(id)
        }
        let windows = query.conditions(alias: "m")
        filter += windows.sql
        arguments += windows.arguments.map { $0 as any DatabaseValueConvertible }
        let total = try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM member m WHERE " + filter),
                                     arguments: StatementArguments(arguments)) ?? 0
        var order = "m.web_id, m.hash"
        if let sort = query.sort {
            // An unset timestamp ("") sorts first ascending, last descending, like any smaller value.
            let direction = sort.direction == .ascending ? "ASC" : "DESC"
            order = "m.\(sort.column) \(direction), " + order
        }
        let rows = try Row.fetchAll(try db.cachedStatement(sql: "SELECT m.* FROM member m WHERE \(filter) ORDER BY \(order) LIMIT ? OFFSET ?"),
                                    arguments: StatementArguments(arguments + [count, offset]))
        return (try rows.map(MemberRecord.init), total)
    }
}

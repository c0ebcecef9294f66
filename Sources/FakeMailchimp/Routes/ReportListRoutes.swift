import GRDB
import SimCore
import SimHTTP

/// `GET /reports`: the report of every sent campaign, oldest first (`sort_dir=DESC`: newest
/// first), with the `type` and `since_send_time` / `before_send_time` filters.
enum ReportListRoutes {
    static func register(in routes: inout RouteTable<FakeMailchimp>) {
        routes.on("GET", "/3.0/reports") { fake, request, _ in
            try ListingParameters.refuseUnsupported(request, allowed: ["type", "since_send_time", "before_send_time", "sort_field", "sort_dir"])
            try ListingParameters.sortField(request, accepted: ["send_time"])
            let descending = try ListingParameters.descending(request)
            let (count, offset) = try RequestReading.paging(request)
            let window = try DateWindow(request, field: "send_time")
            let type = request.queryValue("type")
            if let type, !CampaignRoutes.types.contains(type) {
                throw MailchimpProblem.schema("type", "Data presented is not one of the accepted values: \(CampaignRoutes.types.joined(separator: ", ")).")
            }
            return try fake.read { db in
                var rows = try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM campaign ORDER BY sent_ms, id"))
                rows = rows.filter { window.contains(SimTime(milliseconds: $0["sent_ms"])) }
                if let type, type != "regular" { rows = [] }
                if descending { rows.reverse() }
                return .json(["reports": .array(try rows.dropFirst(offset).prefix(count).map { try ReportRoutes.report($0, db: db) }),
                              "total_items": .int(Int64(rows.count)), "_links": []])
            }
        }
    }
}

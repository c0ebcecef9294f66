import SimCore
import SimHTTP

/// `GET /automations` and `GET /automations/{id}`. The fake's worlds have no classic
/// automations, so the listing is empty (with its real shape and filters validated) and every
/// workflow id is not found.
enum AutomationRoutes {
    static let statuses = ["save", "paused", "sending"]

    static func register(in routes: inout RouteTable<FakeMailchimp>) {
        routes.on("GET", "/3.0/automations") { _, request, _ in
            try ListingParameters.refuseUnsupported(request, allowed: [
                "since_create_time", "before_create_time", "since_start_time", "before_start_time", "status", "sort_field", "sort_dir",
            ])
            try ListingParameters.sortField(request, accepted: ["create_time", "start_time"])
            _ = try ListingParameters.descending(request)
            _ = try RequestReading.paging(request)
            _ = try DateWindow(request, field: "create_time")
            _ = try DateWindow(request, field: "start_time")
            if let status = request.queryValue("status"), !statuses.contains(status) {
                throw MailchimpProblem.schema("status", "Data presented is not one of the accepted values: \(statuses.joined(separator: ", ")).")
            }
            return .json(["automations": [], "total_items": 0, "_links": []])
        }
        routes.on("GET", "/3.0/automations/{workflow}") { _, _, _ in
            throw MailchimpProblem.notFound
        }
    }
}

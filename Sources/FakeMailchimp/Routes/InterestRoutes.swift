import SimCore
import SimHTTP

/// `GET /lists/{id}/interest-categories` (and one category, and its interests). The fake's
/// audiences have no groups: an existing audience lists no categories, and any category id is
/// not found, as for an audience whose groups were never set up.
enum InterestRoutes {
    static let types = ["checkboxes", "dropdown", "radio", "hidden"]

    static func register(in routes: inout RouteTable<FakeMailchimp>) {
        routes.on("GET", "/3.0/lists/{list}/interest-categories") { fake, request, p in
            try ListingParameters.refuseUnsupported(request, allowed: ["type"])
            _ = try RequestReading.paging(request)
            if let type = request.queryValue("type"), !types.contains(type) {
                throw MailchimpProblem.schema("type", "Data presented is not one of the accepted values: \(types.joined(separator: ", ")).")
            }
            try audience(fake, p)
            return .json(["list_id": .string(p["list"]), "categories": [], "total_items": 0, "_links": []])
        }
        routes.on("GET", "/3.0/lists/{list}/interest-categories/{category}") { fake, _, p in
            try audience(fake, p)
            throw MailchimpProblem.notFound
        }
        routes.on("GET", "/3.0/lists/{list}/interest-categories/{category}/interests") { fake, request, p in
            try ListingParameters.refuseUnsupported(request, allowed: [])
            try audience(fake, p)
            throw MailchimpProblem.notFound
        }
    }

    private static func audience(_ fake: FakeMailchimp, _ p: RouteParameters) throws {
        try fake.read { db in
            guard try MailchimpQueries.list(db, p["list"]) != nil else { throw MailchimpProblem.notFound }
        }
    }
}

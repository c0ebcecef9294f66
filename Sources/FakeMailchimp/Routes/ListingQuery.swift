import SimCore
import SimHTTP

/// The filters and order of a listing's query string (issue 14). A parameter the real API
/// documents for a listing is implemented or refused with 400: none is silently ignored.
/// `docs/fidelity.md` ("Listings") lists which is which, and the decisions where Mailchimp's
/// documentation is silent.
struct ListingQuery {
    /// A `since_…` / `before_…` pair on one stored timestamp column.
    struct TimeWindow: Equatable {
        var column: String
        /// Inclusive lower bound, as stored (`2021-10-21T01:32:30+00:00`).
        var since: String?
        /// Exclusive upper bound, as stored.
        var before: String?
    }

    /// `sort_dir`, as the spec spells its two values.
    enum SortDirection: String {
        case ascending = "ASC"
        case descending = "DESC"
    }

    var windows: [TimeWindow] = []
    /// The `sort_field` column and direction, when the request names one.
    var sort: (column: String, direction: SortDirection)?

    /// Reads `since_<name>` / `before_<name>` for each `(name, column)`, `sort_field` among
    /// `sortFields` and `sort_dir` (nil: the listing has no sort parameters); refuses any of
    /// `unsupported` that the request carries.
    init(_ request: HTTPRequest, windows names: [(parameter: String, column: String)], sortFields: [String]?,
         unsupported: [String]) throws {
        for name in unsupported where request.queryValue(name) != nil {
            throw MailchimpProblem(status: 400, title: "Invalid Resource",
                                   detail: "The \(name) parameter is not supported by the CohortSim fake.")
        }
        for (parameter, column) in names {
            let window = TimeWindow(column: column, since: try Self.time(request, "since_" + parameter),
                                    before: try Self.time(request, "before_" + parameter))
            if window.since != nil || window.before != nil { windows.append(window) }
        }
        guard let sortFields else { return }
        let direction = try request.queryValue("sort_dir").map { raw in
            guard let direction = SortDirection(rawValue: raw.uppercased()) else {
                throw MailchimpProblem.schema("sort_dir", "Data presented is not one of the accepted values: ASC, DESC.")
            }
            return direction
        }
        if let field = request.queryValue("sort_field") {
            guard sortFields.contains(field) else {
                throw MailchimpProblem.schema("sort_field", "Data presented is not one of the accepted values: \(sortFields.joined(separator: ", ")).")
            }
            sort = (field, direction ?? .ascending)
        }
    }

    /// Whether the listing needs more than the default order and no filter.
    var isDefault: Bool { windows.isEmpty && sort == nil }

    /// SQL conditions on `alias.` columns (each `?` bound, in order, to `arguments`). An empty
    /// timestamp (`""`, never set) is outside every window.
    func conditions(alias: String) -> (sql: String, arguments: [String]) {
        var parts: [String] = []
        var arguments: [String] = []
        for window in windows {
            parts.append("\(alias).\(window.column) != ''")
            if let since = window.since {
                parts.append("\(alias).\(window.column) >= ?")
                arguments.append(since)
            }
            if let before = window.before {
                parts.append("\(alias).\(window.column) < ?")
                arguments.append(before)
            }
        }
        return (parts.map { " AND " + $0 }.joined(), arguments)
    }

    /// Whether a stored timestamp row passes every window (for listings filtered in memory).
    func admits(_ value: (String) -> String) -> Bool {
        windows.allSatisfy { window in
            let stored = value(window.column)
            guard !stored.isEmpty else { return false }
            if let since = window.since, stored < since { return false }
            if let before = window.before, stored >= before { return false }
            return true
        }
    }

    /// An ISO 8601 time parameter, normalised to the stored `+00:00` form; unparseable is 400.
    private static func time(_ request: HTTPRequest, _ name: String) throws -> String? {
        guard let raw = request.queryValue(name) else { return nil }
        guard let time = SimTime(iso8601: raw) else {
            throw MailchimpProblem.schema(name, "\(raw) is not a valid ISO 8601 date and time.")
        }
        return time.mailchimpTimestamp
    }
}

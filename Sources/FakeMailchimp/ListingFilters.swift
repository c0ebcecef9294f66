import SimCore
import SimHTTP

/// A listing's `since_<field>` / `before_<field>` pair (Mailchimp's date filters, ISO 8601):
/// `since` keeps items at or after the instant, `before` items strictly before it.
struct DateWindow: Sendable, Equatable {
    var since: SimTime?
    var before: SimTime?

    /// Reads `since_<field>` and `before_<field>`; a value that is not ISO 8601 is Mailchimp's
    /// schema error on that parameter.
    init(_ request: HTTPRequest, field: String) throws {
        since = try Self.time(request, "since_" + field)
        before = try Self.time(request, "before_" + field)
    }

    /// Whether either bound was given.
    var isSet: Bool { since != nil || before != nil }

    /// Whether `time` lies in the window (always, when neither bound is set; never for an
    /// item without the date when a bound is set).
    func contains(_ time: SimTime?) -> Bool {
        guard isSet else { return true }
        guard let time else { return false }
        if let since, time < since { return false }
        if let before, time >= before { return false }
        return true
    }

    /// ``contains(_:)`` for a stored Mailchimp timestamp (`2026-10-05T09:00:00+00:00`).
    func contains(timestamp: String?) -> Bool {
        contains(timestamp.flatMap { SimTime(iso8601: $0) })
    }

    private static func time(_ request: HTTPRequest, _ name: String) throws -> SimTime? {
        guard let text = request.queryValue(name) else { return nil }
        guard let time = SimTime(iso8601: text) else { throw MailchimpProblem.schema(name, "The value must be a valid ISO 8601 date-time.") }
        return time
    }
}

enum ListingParameters {
    /// Parameters every listing takes: paging and field selection.
    static let common: Set<String> = ["count", "offset", "fields", "exclude_fields"]

    /// Refuses query parameters the fake does not implement on this listing, so a filter is
    /// never silently dropped (the real API has filters the fake does not model). A 400 that
    /// names them, in Mailchimp's problem format.
    static func refuseUnsupported(_ request: HTTPRequest, allowed: Set<String>) throws {
        let unknown = request.query.map(\.name).filter { !common.contains($0) && !allowed.contains($0) }
        guard !unknown.isEmpty else { return }
        let names = Array(Set(unknown)).sorted()
        throw MailchimpProblem(status: 400, title: "Invalid Resource",
                               detail: "CohortSim's fake Mailchimp does not support the parameter(s) \(names.joined(separator: ", ")) on \(request.path); it refuses them rather than answer unfiltered. See docs/fidelity.md.",
                               fieldErrors: names.map { ($0, "Not supported by the fake.") })
    }

    /// `sort_dir`: `ASC` (the default) or `DESC`; anything else is Mailchimp's schema error.
    static func descending(_ request: HTTPRequest) throws -> Bool {
        guard let raw = request.queryValue("sort_dir") else { return false }
        switch raw.uppercased() {
        case "ASC": return false
        case "DESC": return true
        default: throw MailchimpProblem.schema("sort_dir", "Data presented is not one of the accepted values: ASC, DESC.")
        }
    }

    /// `sort_field`, which must be one of `accepted` when given.
    static func sortField(_ request: HTTPRequest, accepted: [String]) throws {
        guard let raw = request.queryValue("sort_field") else { return }
        guard accepted.contains(raw) else {
            throw MailchimpProblem.schema("sort_field", "Data presented is not one of the accepted values: \(accepted.joined(separator: ", ")).")
        }
    }
}

import Foundation
import SimCore
import SimHTTP

/// An error exactly as Mailchimp sends it: an `application/problem+json` document.
public struct MailchimpProblem: Error, Equatable, Sendable {
    public var status: Int
    public var title: String
    public var detail: String
    public var fieldErrors: [(field: String, message: String)]
    /// Extra headers, e.g. `Allow` on a 405.
    public var headers: [String: String]

    public init(status: Int, title: String, detail: String, fieldErrors: [(field: String, message: String)] = [],
                headers: [String: String] = [:]) {
        self.status = status
        self.title = title
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.headers = headers
    }

    public static func == (lhs: MailchimpProblem, rhs: MailchimpProblem) -> Bool {
        lhs.status == rhs.status && lhs.title == rhs.title && lhs.detail == rhs.detail
            && lhs.fieldErrors.map { [$0.field, $0.message] } == rhs.fieldErrors.map { [$0.field, $0.message] }
    }

    public static let errorType = "https://mailchimp.com/developer/marketing/docs/errors/"

    /// The response body and headers; `instance` is the request id, echoed in `X-Request-Id`.
    public func response(instance: String) -> HTTPResponse {
        var body: [String: JSONValue] = [
            "type": .string(Self.errorType), "title": .string(title), "status": .int(Int64(status)),
            "detail": .string(detail), "instance": .string(instance),
        ]
        if !fieldErrors.isEmpty {
            body["errors"] = .array(fieldErrors.map { ["field": .string($0.field), "message": .string($0.message)] })
        }
        var response = HTTPResponse.json(.object(body), status: status, contentType: "application/problem+json; charset=utf-8")
        response.headers.add("X-Request-Id", instance)
        response.headers.add("Server", "openresty")
        for key in headers.keys.sorted() { response.headers.add(key, headers[key]!) }
        return response
    }
}

extension MailchimpProblem {
    static let notFound = MailchimpProblem(status: 404, title: "Resource Not Found",
                                           detail: "The requested resource could not be found.")
    static let apiKeyInvalid = MailchimpProblem(status: 401, title: "API Key Invalid",
                                                detail: "Your API key may be invalid, or you've attempted to access the wrong datacenter.")
    static let apiKeyMissing = MailchimpProblem(status: 401, title: "API Key Missing",
                                                detail: "Your request did not include an API key.")
    static let queryKeyConflict = MailchimpProblem(
        status: 401, title: "API Key Invalid",
        detail: "The API key included in the query parameters is not consistent with the Authorization header. Please provide authorization using a single method.")
    static let tooManyRequests = MailchimpProblem(status: 429, title: "TooManyRequests",
                                                  detail: "You have exceeded the limit of 10 simultaneous connections.")

    static func wrongDataCenter(_ dc: String) -> MailchimpProblem {
        MailchimpProblem(status: 403, title: "Forbidden", detail: "The API key provided is linked to datacenter '\(dc)'")
    }

    static func jsonParse(_ reason: String) -> MailchimpProblem {
        MailchimpProblem(status: 400, title: "JSON Parse Exception",
                         detail: "We encountered an unspecified JSON parsing error.")
    }

    static func methodNotAllowed(allow: [String]) -> MailchimpProblem {
        MailchimpProblem(status: 405, title: "Method Not Allowed",
                         detail: "The requested method and resource are not compatible. See the Allow header for this resource's available methods.",
                         headers: ["Allow": allow.joined(separator: ", ")])
    }

    static func memberExists(_ email: String) -> MailchimpProblem {
        MailchimpProblem(status: 400, title: "Member Exists",
                         detail: "\(email) is already a list member. Use PUT to insert or update list members.")
    }

    static func looksFake(_ email: String) -> MailchimpProblem {
        MailchimpProblem(status: 400, title: "Invalid Resource",
                         detail: "\(email) looks fake or invalid, please enter a real email address.")
    }

    static let invalidEmail = MailchimpProblem(status: 400, title: "Invalid Resource",
                                               detail: "Please provide a valid email address.")

    static func forgotten(_ email: String) -> MailchimpProblem {
        MailchimpProblem(status: 400, title: "Forgotten Email Not Subscribed",
                         detail: "\(email) was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list.")
    }

    static func complianceState(_ email: String) -> MailchimpProblem {
        MailchimpProblem(status: 400, title: "Member In Compliance State",
                         detail: "\(email) is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.")
    }

    static let cannotArchive = MailchimpProblem(
        status: 405, title: "Method Not Allowed",
        detail: "This list member cannot be removed. Can not archive a contact that is bounced, pending or archived",
        headers: ["Allow": "GET, PUT"])

    /// A JSON-schema failure on one field.
    static func schema(_ field: String, _ message: String) -> MailchimpProblem {
        MailchimpProblem(status: 400, title: "Invalid Resource",
                         detail: "The resource submitted could not be validated. For field-specific details, see the 'errors' array.",
                         fieldErrors: [(field, message)])
    }

    /// JSON-schema failures on several fields.
    static func schema(_ errors: [(field: String, message: String)]) -> MailchimpProblem {
        MailchimpProblem(status: 400, title: "Invalid Resource",
                         detail: "The resource submitted could not be validated. For field-specific details, see the 'errors' array.",
                         fieldErrors: errors)
    }

    static func mergeFields(_ errors: [(field: String, message: String)]) -> MailchimpProblem {
        MailchimpProblem(status: 400, title: "Invalid Resource", detail: "Your merge fields were invalid.", fieldErrors: errors)
    }

    static func tooManyItems(_ field: String) -> MailchimpProblem {
        MailchimpProblem(status: 400, title: "Invalid Resource",
                         detail: "Maximum allowed member items exceeded: \(field) accepts at most 500 items.")
    }

    static func staticSegmentMissing(_ id: String) -> MailchimpProblem {
        // 400 and the quoted id as thorning/node-mailchimp#32 quotes the answer; the title is not recorded.
        MailchimpProblem(status: 400, title: "Invalid Resource",
                         detail: "A Static Segment with an id of \"\(id)\" does not exist for this list.")
    }

    static func countTooLarge() -> MailchimpProblem {
        schema("count", "Must be less than or equal to 1000.")
    }
}

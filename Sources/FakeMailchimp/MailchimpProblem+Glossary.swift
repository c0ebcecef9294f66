/// The documented error glossary (reference §3.2, §3.3): bodies for injected faults and for the
/// `X-Trigger-Error` test header.
extension MailchimpProblem {
    /// The real body for an injected `FaultRule.Effect.status(_:)`.
    ///
    /// 401, 403, 404 and 429 use the observed titles and details. 500 and 503 have no recorded
    /// detail: 500 uses the fake's generic wording and 503 the older glossary's `ComplianceRelated`
    /// "This method has been disabled." (the only 503 in the reference). Any other status gets the
    /// glossary entry with that status, or `Bad Request` with a generic detail.
    static func fault(status: Int) -> MailchimpProblem {
        switch status {
        case 401: return .apiKeyInvalid
        case 403: return .accessDisabled
        case 404: return .notFound
        case 429: return .tooManyRequests
        case 500: return .internalError
        case 503: return .complianceRelated
        default:
            if var entry = glossary.first(where: { $0.problem.status == status })?.problem { entry.headers = [:]; return entry }
            return MailchimpProblem(status: status, title: "Bad Request", detail: "The request could not be processed.")
        }
    }

    /// The glossary error named by an `X-Trigger-Error` header, matched case-insensitively on the
    /// title with or without spaces (`APIKeyMissing`, `API Key Missing`, `TooManyRequests`).
    /// Unknown names give `nil`: the request is then handled normally.
    static func triggered(_ name: String) -> MailchimpProblem? {
        let key = normalized(name)
        return glossary.first { $0.names.contains(key) }?.problem
    }

    private static func normalized(_ name: String) -> String {
        String(name.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    static let internalError = MailchimpProblem(
        status: 500, title: "InternalServerError",
        detail: "An unexpected internal error has occurred. Please contact Support for more information.")
    static let complianceRelated = MailchimpProblem(status: 503, title: "ComplianceRelated", detail: "This method has been disabled.")
    static let accessDisabled = MailchimpProblem(
        status: 403, title: "Forbidden", detail: "API Access has been disabled for this account. Please contact customer support.")
    static let apiKeyDisabled = MailchimpProblem(status: 401, title: "API Key Invalid", detail: "API key has been disabled")

    /// Glossary entries by name; details are the documented or observed ones where known.
    private static let glossary: [(names: Set<String>, problem: MailchimpProblem)] = [
        (["badrequest"], MailchimpProblem(status: 400, title: "Bad Request", detail: "The request could not be processed.")),
        (["invalidaction"], MailchimpProblem(status: 400, title: "Invalid Action", detail: "The action requested was not valid for this resource.")),
        (["invalidresource"], MailchimpProblem(
            status: 400, title: "Invalid Resource",
            detail: "The resource submitted could not be validated. For field-specific details, see the 'errors' array.")),
        (["jsonparseexception", "jsonparseerror"], MailchimpProblem.jsonParse("")),
        (["requestedfieldsinvalid"], MailchimpProblem(
            status: 400, title: "Requested Fields Invalid", detail: "The fields requested from this resource are invalid.")),
        (["apikeymissing"], .apiKeyMissing),
        (["apikeyinvalid"], .apiKeyInvalid),
        (["forbidden"], .accessDisabled),
        (["userdisabled"], MailchimpProblem(status: 403, title: "User Disabled", detail: "This account has been deactivated.")),
        (["wrongdatacenter"], MailchimpProblem(
            status: 403, title: "Wrong Datacenter", detail: "The API key provided is linked to a different datacenter.")),
        (["authorizationfailure"], MailchimpProblem(
            status: 403, title: "Authorization Failure", detail: "You are not permitted to access this resource.")),
        (["resourcenotfound", "notfound"], .notFound),
        (["methodnotallowed"], MailchimpProblem(
            status: 405, title: "Method Not Allowed",
            detail: "The requested method and resource are not compatible. See the Allow header for this resource's available methods.")),
        (["resourcenestingtoodeep"], MailchimpProblem(
            status: 414, title: "Resource Nesting Too Deep", detail: "The nested resource you requested is too deep.")),
        (["invalidmethodoverride"], MailchimpProblem(
            status: 422, title: "InvalidMethodOverride", detail: "You can only use the X-HTTP-Method-Override header with the POST method.")),
        (["toomanyrequests"], .tooManyRequests),
        (["internalservererror"], .internalError),
        (["compliancerelated"], .complianceRelated),
    ]
}

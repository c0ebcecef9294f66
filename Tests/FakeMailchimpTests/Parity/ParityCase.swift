import SimCore
import Testing

/// One behaviour of the real Marketing API, as a public recording shows it: a starting audience,
/// the requests sent, and what the real service answered (only the parts the recording shows).
///
/// Every case names its `source` (repository, path and commit, or a link) and the date it was
/// recorded. Nothing here is invented: where a recording leaves a detail out (a merge field's
/// type, the path of a request), `notes` says what the case assumes and why. `docs/fidelity.md`
/// lists the behaviours the fake still answers differently, which have no case here.
struct ParityCase: Sendable, CustomTestStringConvertible {
    /// Short behaviour name, unique in the suite.
    var name: String
    /// Where the recording is: `owner/repo path@commit` or a URL.
    var source: String
    /// When the real service answered (as the recording dates it).
    var recorded: String
    /// The audience before the first exchange (the recording's list id, merge fields and contacts).
    var audience: MailchimpWorldAudience
    var exchanges: [ParityExchange]
    /// Assumptions made where the recording is silent.
    var notes: String = ""

    var testDescription: String { name }
}

/// The audience a case starts from; merge fields are declared `TAG[:type]` as in scenarios.
struct MailchimpWorldAudience: Sendable {
    var id: String
    var mergeFields: [String]
    var members: [ParityMember] = []
}

/// A contact already on the audience when the case starts.
struct ParityMember: Sendable {
    var email: String
    var status: String = "subscribed"
    var mergeFields: [String: String] = [:]
}

/// One request and the recorded answer: its status and, by dotted path (`errors.0.field`,
/// `merge_fields.LTV`), the body values the recording shows; `absent` paths must not be there.
struct ParityExchange: Sendable {
    var method: String
    /// Under `/3.0`; `{list}` is replaced with the audience id.
    var path: String
    var body: JSONValue?
    var status: Int
    var expect: [(path: String, value: JSONValue)] = []
    var absent: [String] = []
    var headers: [(name: String, value: String)] = []
}

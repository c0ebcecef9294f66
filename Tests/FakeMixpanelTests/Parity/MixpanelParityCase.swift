import SimCore
import Testing

/// One behaviour of the real Mixpanel ingestion or query API as a public recording shows it: the
/// request sent and what the service answered (only the parts the recording shows), with the
/// recording's `source` and date. Where the recording is silent, `notes` says what is assumed.
struct MixpanelParityCase: Sendable, CustomTestStringConvertible {
    /// Short behaviour name, unique in the suite.
    var name: String
    /// Where the recording is: a link to the issue or file that quotes the real answer.
    var source: String
    /// When the real service answered, as the recording dates it.
    var recorded: String
    var method: String
    /// Path and query, e.g. `/import?project_id=7&strict=1`.
    var path: String
    var contentType: String?
    var body: String = ""
    /// Basic credentials, `user:secret` (the project token with an empty secret is `tok:`).
    var auth: String = "sa:pw"
    var status: Int
    /// Body values by dotted path (`failed_records.0.field`); `""` is the whole body.
    var expect: [(path: String, value: JSONValue)] = []
    var notes: String = ""

    var testDescription: String { name }
}

import Foundation
import SimCore
import SimHTTP

/// Cases from real Mixpanel answers quoted in public issue reports. The fake's project is 7 with
/// token `tok` (see `Fixture`); times are days before the fake's clock, inside every window.
enum IssueReportMixpanelCases {
    static let time = Fixture.seconds(Fixture.start.adding(.days(-2)))

    static func formData(_ events: JSONValue) -> String {
        "data=" + URLCoding.encodeComponent(Data(events.canonicalText.utf8).base64EncodedString())
    }

    static let cases: [MixpanelParityCase] = [
        MixpanelParityCase(
            name: "strict import refuses an insert id with a colon, naming $insert_id and keying insert_id",
            source: "https://github.com/mixpanel/mixpanel-utils/issues/40 (the 400 body quoted in a comment)", recorded: "2022-01-29",
            method: "POST", path: "/import?project_id=7&strict=1", contentType: "application/json",
            body: JSONValue.array([["event": "Page Viewed",
                                    "properties": ["distinct_id": "u1", "time": time,
                                                   "$insert_id": "ajs-next-d4506e5ffc42f66153f31e222b5c98ce:8nDHprEv8m4QQ3shWDV2dH-1"]]]).canonicalText,
            status: 400,
            expect: [("code", 400), ("error", "some data points in the request failed validation"),
                     ("failed_records.0.index", 0),
                     ("failed_records.0.insert_id", "ajs-next-d4506e5ffc42f66153f31e222b5c98ce:8nDHprEv8m4QQ3shWDV2dH-1"),
                     ("failed_records.0.field", "$insert_id"),
                     ("failed_records.0.message", "'$insert_id' is invalid: must only contain alphanumeric or hyphen '-' characters")],
            notes: "The comment quotes the body up to failed_records (cut after it); the event name and other properties are not shown. The insert id is the quoted one."),
        MixpanelParityCase(
            name: "a form-encoded import with verbose=1 answers status 1 and a null error",
            source: "https://github.com/mixpanel/mixpanel-python/issues/88 (the decoded answer of import_data) and https://github.com/mixpanel/mixpanel-ruby/issues/102 (curl -d data=… verbose=1)",
            recorded: "2020-11-26",
            method: "POST", path: "/import?verbose=1&project_id=7", contentType: "application/x-www-form-urlencoded",
            body: formData([["event": "$signup", "properties": ["distinct_id": "481", "time": time, "token": "tok", "$insert_id": "signup-481"]]]),
            status: 200,
            expect: [("", ["status": 1, "error": .null])],
            notes: "Both reports quote only the answer; the event is the 2019 help-centre example (mixpanel-utils#20) with a $insert_id added, which today's /import requires."),
        MixpanelParityCase(
            name: "engage with verbose=2 refuses an update without $distinct_id with 400",
            source: "https://github.com/rudderlabs/rudder-transformer/pull/5060 (the error body Mixpanel returned with verbose=2)",
            recorded: "2026-03-23",
            method: "POST", path: "/engage?verbose=2", contentType: "application/x-www-form-urlencoded",
            body: formData([["$token": "tok", "$set": ["plan": "pro"]]]),
            auth: "tok:", status: 400,
            expect: [("", ["error": "Engage API error: $distinct_id, missing or empty", "status": 0])],
            notes: "The PR quotes the body and says the status became 400; the update (a $set without $distinct_id) and the form encoding are assumed from the RudderStack destination it describes."),
    ]
}

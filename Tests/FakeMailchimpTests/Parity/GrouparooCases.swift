import SimCore

/// Cases from Grouparoo's nock recordings of the real API (us3, 23 November 2021): every request
/// and answer below is in `plugins/@grouparoo/mailchimp/__tests__/fixtures/export/exportRecord.js`
/// of github.com/grouparoo/grouparoo at commit 6ded4d1432af941ef819574af29e76bcdd126d30.
enum GrouparooCases {
    static let source = "grouparoo/grouparoo plugins/@grouparoo/mailchimp/__tests__/fixtures/export/exportRecord.js@6ded4d1432af941ef819574af29e76bcdd126d30"
    static let recorded = "2021-11-23"
    static let caio = "wx3ti580f4ycqy185cumm@grouparoo.com"
    static let caioHash = "5eb0d793a5aa4f1b9fd29305d6afbf7c"
    /// The recorded audience's merge tags, as its member responses list them.
    static let mergeFields = ["FNAME", "LNAME", "ADDRESS", "PHONE", "USERID", "LTV:number", "TICKET", "JOINED_AT:date"]
    static let typesNote = "The recording shows the tags, not their types: LTV is number (its error says so), JOINED_AT date (a YYYY-MM-DD value kept as sent), the rest text."

    static func audience(_ members: [ParityMember] = []) -> MailchimpWorldAudience {
        MailchimpWorldAudience(id: "a36b032126", mergeFields: mergeFields, members: members)
    }

    static func allEmpty(except values: [String: JSONValue] = [:]) -> [(path: String, value: JSONValue)] {
        ["FNAME", "LNAME", "ADDRESS", "PHONE", "USERID", "LTV", "TICKET", "JOINED_AT"].map { tag in
            ("merge_fields.\(tag)", values[tag] ?? "")
        }
    }

    static let cases: [ParityCase] = [
        ParityCase(
            name: "POST member ignores a lower-case merge key and lists every merge field", source: source, recorded: recorded,
            audience: audience(),
            exchanges: [ParityExchange(
                method: "POST", path: "/lists/{list}/members",
                body: ["merge_fields": ["email_address": .string(caio), "FNAME": "Caio"], "email_address": .string(caio), "status": "subscribed"],
                status: 200,
                expect: [("id", .string(caioHash)), ("email_address", .string(caio)), ("status", "subscribed"), ("full_name", "Caio"),
                         ("email_type", "html"), ("timestamp_signup", ""), ("ip_signup", ""), ("source", "API - Generic"),
                         ("tags_count", 0), ("tags", []), ("list_id", "a36b032126"), ("member_rating", 2), ("vip", false),
                         ("language", ""), ("email_client", ""), ("consents_to_one_to_one_messaging", true),
                         ("stats.avg_open_rate", 0), ("stats.avg_click_rate", 0)] + allEmpty(except: ["FNAME": "Caio"]),
                absent: ["merge_fields.email_address", "status_if_new"])],
            notes: typesNote),
        ParityCase(
            name: "PUT on an existing member needs no status and round-trips a number and a date", source: source, recorded: recorded,
            audience: audience([ParityMember(email: caio, mergeFields: ["FNAME": "Caio", "LNAME": "Silveira", "PHONE": "+5583999999999"])]),
            exchanges: [ParityExchange(
                method: "PUT", path: "/lists/{list}/members/\(caioHash)",
                body: ["merge_fields": ["email_address": .string(caio), "FNAME": "Evan", "LNAME": "Silveira", "PHONE": "+5583999999998",
                                        "LTV": .double(15.5), "JOINED_AT": "1980-12-21"],
                       "email_address": .string(caio)],
                status: 200,
                expect: [("id", .string(caioHash)), ("status", "subscribed"), ("full_name", "Evan Silveira")]
                    + allEmpty(except: ["FNAME": "Evan", "LNAME": "Silveira", "PHONE": "+5583999999998", "LTV": .double(15.5), "JOINED_AT": "1980-12-21"]),
                absent: ["merge_fields.email_address"])],
            notes: typesNote + " The member's state before the PUT is the one the recording's earlier answers show."),
        ParityCase(
            name: "PUT with a non-numeric number field is refused, a short phone is not", source: source, recorded: recorded,
            audience: audience([ParityMember(email: caio, mergeFields: ["FNAME": "Evan", "LNAME": "Silveira", "PHONE": "+5583999999998", "LTV": "15.5"])]),
            exchanges: [ParityExchange(
                method: "PUT", path: "/lists/{list}/members/\(caioHash)",
                body: ["merge_fields": ["email_address": .string(caio), "FNAME": "Evan", "LNAME": "Silveira", "PHONE": "000", "LTV": "AAAAA"],
                       "email_address": .string(caio)],
                status: 400,
                expect: [("title", "Invalid Resource"), ("status", 400), ("detail", "Your merge fields were invalid."),
                         ("type", "https://mailchimp.com/developer/marketing/docs/errors/"),
                         ("errors", [["field": "LTV", "message": "Please enter a number"]])],
                headers: [("Content-Type", "application/problem+json; charset=utf-8")])],
            notes: typesNote),
        ParityCase(
            name: "PUT to an unknown hash creates the body's address; the path stays unknown; again is Member Exists",
            source: source, recorded: recorded, audience: audience(),
            exchanges: [
                ParityExchange(method: "GET", path: "/lists/{list}/members/17cee0cf256326fd9119bae95bcb47b1", status: 404,
                               expect: [("title", "Resource Not Found"), ("detail", "The requested resource could not be found.")]),
                ParityExchange(method: "PUT", path: "/lists/{list}/members/17cee0cf256326fd9119bae95bcb47b1",
                               body: ["email_address": "n8htra9b3gb2zhfprw32d4@grouparoo.com", "status": "subscribed",
                                      "merge_fields": ["email_address": "n8htra9b3gb2zhfprw32d4@grouparoo.com"]],
                               status: 200,
                               expect: [("id", "6059ab0cb1e5a7ccdfa29a2deae9ba5a"), ("status", "subscribed"), ("full_name", ""),
                                        ("timestamp_signup", ""), ("tags_count", 0)] + allEmpty()),
                ParityExchange(method: "GET", path: "/lists/{list}/members/17cee0cf256326fd9119bae95bcb47b1", status: 404,
                               expect: [("title", "Resource Not Found")]),
                ParityExchange(method: "PUT", path: "/lists/{list}/members/17cee0cf256326fd9119bae95bcb47b1",
                               body: ["email_address": "n8htra9b3gb2zhfprw32d4@grouparoo.com", "status": "subscribed",
                                      "merge_fields": ["email_address": "n8htra9b3gb2zhfprw32d4@grouparoo.com"]],
                               status: 400,
                               expect: [("title", "Member Exists"), ("status", 400),
                                        ("detail", "n8htra9b3gb2zhfprw32d4@grouparoo.com is already a list member. Use PUT to insert or update list members.")]),
            ],
            notes: "The recorded Member Exists body has no `type`; the fake always sends one (docs/fidelity.md). A new member created by PUT with only `status` gets that status."),
        ParityCase(
            name: "a malformed address is refused", source: source, recorded: recorded, audience: audience(),
            exchanges: [ParityExchange(method: "POST", path: "/lists/{list}/members",
                                       body: ["merge_fields": ["email_address": "AAAAA"], "email_address": "AAAAA", "status": "subscribed"],
                                       status: 400,
                                       expect: [("title", "Invalid Resource"), ("detail", "Please provide a valid email address.")])]),
        ParityCase(
            name: "an address at example.com is refused as fake", source: source, recorded: recorded, audience: audience(),
            exchanges: [ParityExchange(method: "POST", path: "/lists/{list}/members",
                                       body: ["merge_fields": ["email_address": "foo@example.com"], "email_address": "foo@example.com", "status": "subscribed"],
                                       status: 400,
                                       expect: [("title", "Invalid Resource"),
                                                ("detail", "foo@example.com looks fake or invalid, please enter a real email address.")])]),
        ParityCase(
            name: "tags of a non-member are 404", source: source, recorded: recorded, audience: audience(),
            exchanges: [ParityExchange(method: "POST", path: "/lists/{list}/members/\(caioHash)/tags",
                                       body: ["tags": [["name": "list one", "status": "inactive"], ["name": "list two", "status": "inactive"],
                                                       ["name": "list three", "status": "inactive"], ["name": "list four", "status": "inactive"]]],
                                       status: 404,
                                       expect: [("title", "Resource Not Found"), ("detail", "The requested resource could not be found.")])]),
        ParityCase(
            name: "tags of a member are 204 with no body", source: source, recorded: recorded, audience: audience([ParityMember(email: caio)]),
            exchanges: [ParityExchange(method: "POST", path: "/lists/{list}/members/\(caioHash)/tags", body: ["tags": []], status: 204)]),
        ParityCase(
            name: "DELETE of an archived member is 405 with Allow GET, PUT", source: source, recorded: recorded,
            audience: audience([ParityMember(email: "angs8opvojuj3c2qvps6an@grouparoo.com", status: "archived")]),
            exchanges: [ParityExchange(method: "DELETE", path: "/lists/{list}/members/aebd14df525c6670d3145987e33343ab", status: 405,
                                       expect: [("title", "Method Not Allowed"),
                                                ("detail", "This list member cannot be removed. Can not archive a contact that is bounced, pending or archived")],
                                       headers: [("Allow", "GET, PUT")])],
            notes: "The recording's GET right after answers `status: archived` for that member."),
    ]
}

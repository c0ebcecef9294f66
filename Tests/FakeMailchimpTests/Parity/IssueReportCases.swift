import SimCore

/// Cases from real response bodies quoted in public issue reports. Each quotes the body as the
/// report does; requests are as the report describes them.
enum IssueReportCases {
    static let cases: [ParityCase] = [
        ParityCase(
            name: "PUT creates a new member with status_if_new",
            source: "https://github.com/amro/gibbon/issues/210 (maintainer's curl PUT and its answer)", recorded: "2016-08-06",
            audience: MailchimpWorldAudience(id: "list000001", mergeFields: ["FNAME", "LNAME"]),
            exchanges: [ParityExchange(method: "PUT", path: "/lists/{list}/members/decddabdc35a9a6705220999dd325944",
                                       body: ["email_address": "amromousa+meow123@gmail.com", "status_if_new": "subscribed",
                                              "merge_fields": ["LNAME": "mooo"]],
                                       status: 200,
                                       expect: [("id", "decddabdc35a9a6705220999dd325944"), ("email_address", "amromousa+meow123@gmail.com"),
                                                ("email_type", "html"), ("status", "subscribed")])],
            notes: "The report shows the start of the answer only; the list's merge fields are not shown (FNAME, LNAME assumed)."),
        ParityCase(
            name: "an address at example.com is refused as fake (2020)",
            source: "https://github.com/JustFixNYC/tenants2/issues/1554", recorded: "2020-06-23",
            audience: MailchimpWorldAudience(id: "list000001", mergeFields: ["FNAME", "LNAME"]),
            exchanges: [ParityExchange(method: "POST", path: "/lists/{list}/members",
                                       body: ["email_address": "fooboo@example.com", "status": "subscribed"], status: 400,
                                       expect: [("title", "Invalid Resource"), ("status", 400),
                                                ("detail", "fooboo@example.com looks fake or invalid, please enter a real email address.")])],
            notes: "The report quotes the error, not the request: a subscribe (POST …/members) is assumed. Its `type` is the older glossary URL, which the fake does not send (docs/fidelity.md)."),
        ParityCase(
            name: "an address at yopmail.com is refused as fake",
            source: "https://github.com/VingtCinq/python-mailchimp/issues/183", recorded: "2018-10-26",
            audience: MailchimpWorldAudience(id: "list000001", mergeFields: ["FNAME", "LNAME"]),
            exchanges: [ParityExchange(method: "POST", path: "/lists/{list}/members",
                                       body: ["email_address": "showpeta@yopmail.com", "status": "subscribed"], status: 400,
                                       expect: [("detail", "showpeta@yopmail.com looks fake or invalid, please enter a real email address.")])],
            notes: "The report quotes the detail of an insert of a new member; status 400 and POST …/members are assumed from the other recordings."),
        ParityCase(
            name: "batch subscribe with an empty status fails the whole request",
            source: "https://github.com/brandonseydel/MailChimp.Net/issues/567 (request captured in Fiddler and its answer)",
            recorded: "2021-12-20",
            audience: MailchimpWorldAudience(id: "list000001", mergeFields: ["FNAME", "LNAME"]),
            exchanges: [ParityExchange(method: "POST", path: "/lists/{list}",
                                       body: ["members": [["email_address": "user@freddiesjokes.com", "email_type": "html", "status": "",
                                                           "status_if_new": "subscribed"]],
                                              "update_existing": true],
                                       status: 400,
                                       expect: [("type", "https://mailchimp.com/developer/marketing/docs/errors/"), ("title", "Invalid Resource"),
                                                ("status", 400),
                                                ("detail", "The resource submitted could not be validated. For field-specific details, see the 'errors' array."),
                                                ("errors.0.field", "members.item:0.status")])],
            notes: "The report hides the address and merge fields and cuts the message after \"Data presented is not one of\"; the fake's message goes on with the accepted values."),
        ParityCase(
            name: "fields without the collection prefix selects nothing in a member listing",
            source: "https://github.com/mailchimp/mailchimp-client-lib-codegen/issues/135 (SDK call and what came back; a Mailchimp engineer's answer)",
            recorded: "2021-03-31",
            audience: MailchimpWorldAudience(id: "list000001", mergeFields: ["FNAME", "LNAME"],
                                             members: [ParityMember(email: "pawel@freddiesjokes.com")]),
            exchanges: [ParityExchange(method: "GET", path: "/lists/{list}/members?fields=email_address", status: 200,
                                       expect: [("", [:])]),
                        ParityExchange(method: "GET", path: "/lists/{list}/members?fields=members.email_address", status: 200,
                                       expect: [("members.0.email_address", "pawel@freddiesjokes.com")], absent: ["members.0.status", "total_items"])],
            notes: "The SDK printed `<Response [200]>`, which mailchimp-marketing returns when the JSON body is empty or falsy: `{}` is assumed. The maintainer's fix was the `members.` prefix."),
    ]
}

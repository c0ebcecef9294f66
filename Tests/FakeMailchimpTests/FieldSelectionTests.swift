import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMailchimp

/// `fields` / `exclude_fields` trim responses, as on the real API (reference §5).
@Suite(.timeLimit(.minutes(2))) struct FieldSelectionTests {
    static let key = "0123456789abcdef0123456789abcdef-us6"
    let fake: FakeMailchimp

    init() throws {
        fake = try FakeMailchimp(world: MailchimpWorld(apiKey: Self.key, audiences: [.init(id: "l1", name: "News")]),
                                 seed: 1, clock: VirtualClock(start: SimTime(seconds: 1_700_000_000)))
    }

    func send(_ method: String, _ target: String, _ body: JSONValue? = nil) async -> HTTPResponse {
        await fake.handle(HTTPRequest(method: method, url: "https://us6.api.mailchimp.com\(target)",
                                      headers: ["Authorization": "Bearer \(Self.key)"], body: body?.canonicalData ?? Data()))
    }

    @Test func fieldsKeepOnlyTheNamedPaths() async {
        let batch: JSONValue = ["members": [["email_address": "a@freddiesjokes.com", "status_if_new": "subscribed"]]]
        let response = await send("POST", "/3.0/lists/l1?fields=new_members.email_address,total_created", batch)
        #expect(response.json == ["new_members": [["email_address": "a@freddiesjokes.com"]], "total_created": 1])
    }

    @Test func excludeFieldsDropTheNamedPaths() async {
        _ = await send("POST", "/3.0/lists/l1/members", ["email_address": "b@freddiesjokes.com", "status": "subscribed"])
        let response = await send("GET", "/3.0/lists/l1/members?exclude_fields=members,_links")
        #expect(response.json == ["list_id": "l1", "total_items": 1])
    }

    @Test func fieldsAndExcludeFieldsTogetherAreRefused() async {
        let response = await send("GET", "/3.0/lists/l1/members?fields=total_items&exclude_fields=members")
        #expect(response.status == 400)
        #expect(response.json?["title"] == "Invalid Resource")
    }
}

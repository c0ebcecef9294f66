import Foundation
import Testing
import SimCore
import SimHTTP
import SimHTTPServer
import SimHTTPClient
@testable import FakeMailchimp

@Suite(.timeLimit(.minutes(2))) struct FakeMailchimpTests {
    static let key = "0123456789abcdef0123456789abcdef-us6"
    let fake: FakeMailchimp
    let list: String

    init() throws {
        let world = MailchimpWorld(apiKey: Self.key, audiences: [.init(id: "list000001", name: "News", members: [
            .init(email: "gone@freddiesjokes.com", status: "unsubscribed", unsubscribedBy: .contact),
            .init(email: "admin-unsub@freddiesjokes.com", status: "unsubscribed", unsubscribedBy: .admin),
            .init(email: "bounced@freddiesjokes.com", status: "cleaned"),
            .init(email: "erased@freddiesjokes.com", forgotten: true),
        ])], fakeEmails: ["fake@freddiesjokes.com"])
        fake = try FakeMailchimp(world: world, seed: 1, clock: VirtualClock(start: SimTime(seconds: 1_700_000_000)))
        list = "list000001"
    }

    func send(_ method: String, _ path: String, _ body: JSONValue? = nil, key: String = key,
              host: String = "https://us6.api.mailchimp.com") async -> HTTPResponse {
        var headers: HTTPHeaders = ["Authorization": "Basic " + Data("user:\(key)".utf8).base64EncodedString()]
        if body != nil { headers.add("Content-Type", "application/json") }
        return await fake.handle(HTTPRequest(method: method, url: host + path, headers: headers, body: body?.canonicalData ?? Data()))
    }

    @Test(arguments: ["a@example.com", "A@Example.com", "A@EXAMPLE.COM"])
    func subscriberHashIsMD5OfTheLowerCasedAddress(_ email: String) {
        #expect(subscriberHash(email) == "b418773a2c51fb9777a1648346fa7394")
    }

    @Test func pingAnswersChimpy() async {
        let response = await send("GET", "/3.0/ping")
        #expect(response.status == 200)
        #expect(response.json == ["health_status": "Everything's Chimpy!"])
    }

    @Test func wrongKeyIsAPIKeyInvalid() async {
        let response = await send("GET", "/3.0/ping", key: "ffffffffffffffffffffffffffffffff-us6")
        #expect(response.status == 401)
        #expect(response.headers["Content-Type"] == "application/problem+json; charset=utf-8")
        #expect(response.json?["title"] == "API Key Invalid")
        #expect(response.json?["detail"] == "Your API key may be invalid, or you've attempted to access the wrong datacenter.")
        #expect(response.json?["instance"]?.stringValue == response.headers["X-Request-Id"])
    }

    @Test func missingKeyIsAPIKeyMissing() async {
        let response = await fake.handle(HTTPRequest(method: "GET", url: "https://us6.api.mailchimp.com/3.0/ping"))
        #expect(response.status == 401)
        #expect(response.json?["title"] == "API Key Missing")
    }

    @Test func wrongDataCenterIsForbidden() async {
        let response = await send("GET", "/3.0/ping", host: "https://us2.api.mailchimp.com")
        #expect(response.status == 403)
        #expect(response.json?["detail"] == "The API key provided is linked to datacenter 'us6'")
    }

    @Test func bearerAuthWorks() async {
        let response = await fake.handle(HTTPRequest(method: "GET", url: "http://127.0.0.1/3.0/ping", headers: ["Authorization": "Bearer \(Self.key)"]))
        #expect(response.status == 200)
    }

    @Test func secondPostOfTheSameAddressIsMemberExists() async {
        let body: JSONValue = ["email_address": "New@FreddiesJokes.com", "status": "subscribed"]
        let first = await send("POST", "/3.0/lists/\(list)/members", body)
        #expect(first.status == 200)
        #expect(first.json?["id"] == .string(subscriberHash("new@freddiesjokes.com")))
        #expect(first.json?["email_address"] == "New@FreddiesJokes.com")
        let second = await send("POST", "/3.0/lists/\(list)/members", body)
        #expect(second.status == 400)
        #expect(second.json?["title"] == "Member Exists")
        #expect(second.json?["detail"] == "New@FreddiesJokes.com is already a list member. Use PUT to insert or update list members.")
    }

    @Test func selfUnsubscribedContactCannotBeResubscribed() async {
        let response = await send("PATCH", "/3.0/lists/\(list)/members/\(subscriberHash("gone@freddiesjokes.com"))", ["status": "subscribed"])
        #expect(response.status == 400)
        #expect(response.json?["title"] == "Member In Compliance State")
    }

    @Test func adminUnsubscribedContactCanBeResubscribed() async {
        let response = await send("PUT", "/3.0/lists/\(list)/members/\(subscriberHash("admin-unsub@freddiesjokes.com"))",
                                  ["email_address": "admin-unsub@freddiesjokes.com", "status_if_new": "subscribed", "status": "subscribed"])
        #expect(response.status == 200)
        #expect(response.json?["status"] == "subscribed")
    }

    @Test func putWithOnlyStatusIfNewLeavesExistingStatusAlone() async {
        let response = await send("PUT", "/3.0/lists/\(list)/members/\(subscriberHash("gone@freddiesjokes.com"))",
                                  ["email_address": "gone@freddiesjokes.com", "status_if_new": "subscribed"])
        #expect(response.status == 200)
        #expect(response.json?["status"] == "unsubscribed")
    }

    @Test func permanentlyDeletedAddressCannotBeReimported() async {
        let response = await send("POST", "/3.0/lists/\(list)/members", ["email_address": "erased@freddiesjokes.com", "status": "subscribed"])
        #expect(response.status == 400)
        #expect(response.json?["title"] == "Forgotten Email Not Subscribed")
    }

    @Test func archivingACleanedContactIsMethodNotAllowed() async {
        let response = await send("DELETE", "/3.0/lists/\(list)/members/\(subscriberHash("bounced@freddiesjokes.com"))")
        #expect(response.status == 405)
        #expect(response.json?["title"] == "Method Not Allowed")
    }

    @Test func archivedContactReaddedKeepsItsTags() async {
        _ = await send("POST", "/3.0/lists/\(list)/members", ["email_address": "t@freddiesjokes.com", "status": "subscribed", "tags": ["VIP"]])
        #expect(await send("DELETE", "/3.0/lists/\(list)/members/\(subscriberHash("t@freddiesjokes.com"))").status == 204)
        let archived = await send("GET", "/3.0/lists/\(list)/members/\(subscriberHash("t@freddiesjokes.com"))")
        #expect(archived.json?["status"] == "archived")
        let restored = await send("POST", "/3.0/lists/\(list)/members", ["email_address": "t@freddiesjokes.com", "status": "subscribed"])
        #expect(restored.json?["status"] == "subscribed")
        #expect(restored.json?["tags"]?.arrayValue?.first?["name"] == "VIP")
    }

    @Test func batchSubscribeReportsPerMemberErrorsWithHTTP200() async {
        let response = await send("POST", "/3.0/lists/\(list)", ["members": [
            ["email_address": "ok@freddiesjokes.com", "status_if_new": "subscribed"],
            ["email_address": "fake@freddiesjokes.com", "status_if_new": "subscribed"],
            ["email_address": "not-an-email", "status_if_new": "subscribed"],
            ["email_address": "gone@freddiesjokes.com", "status_if_new": "subscribed"],
        ], "update_existing": false])
        #expect(response.status == 200)
        #expect(response.json?["total_created"] == 1)
        #expect(response.json?["error_count"] == 3)
        let errors = response.json?["errors"]?.arrayValue ?? []
        #expect(errors.map { $0["error_code"]?.stringValue } == ["ERROR_GENERIC", "ERROR_GENERIC", "ERROR_CONTACT_EXISTS"])
        #expect(errors[0]["error"] == "fake@freddiesjokes.com looks fake or invalid, please enter a real email address.")
        #expect(errors[1]["error"] == "Please provide a valid email address.")
    }

    @Test func batchSubscribeWithAnInvalidStatusFailsTheWholeRequest() async {
        let response = await send("POST", "/3.0/lists/\(list)", ["members": [
            ["email_address": "ok@freddiesjokes.com", "status": "subscribed"],
            ["email_address": "st@freddiesjokes.com", "status": "archived"],
            ["email_address": "num@freddiesjokes.com", "status_if_new": 3],
        ]])
        #expect(response.status == 400)
        #expect(response.json?["errors"]?.arrayValue?.compactMap { $0["field"]?.stringValue } == ["members.item:1.status", "members.item:2.status_if_new"])
        #expect(await send("GET", "/3.0/lists/\(list)/members/\(subscriberHash("ok@freddiesjokes.com"))").status == 404)
    }

    @Test func batchSubscribeOverFiveHundredIsRejected() async {
        let members = (0...500).map { JSONValue.object(["email_address": .string("m\($0)@freddiesjokes.com"), "status_if_new": "subscribed"]) }
        let response = await send("POST", "/3.0/lists/\(list)", ["members": .array(members)])
        #expect(response.status == 400)
        #expect(response.json?["title"] == "Invalid Resource")
    }

    @Test func countOverOneThousandIsRejected() async {
        let response = await send("GET", "/3.0/lists/\(list)/members?count=1001")
        #expect(response.status == 400)
    }

    @Test func malformedJSONIsAParseException() async {
        let response = await fake.handle(HTTPRequest(method: "POST", url: "https://us6.api.mailchimp.com/3.0/lists/\(list)/members",
                                                     headers: ["Authorization": "Bearer \(Self.key)"], body: Data("{nope".utf8)))
        #expect(response.status == 400)
        #expect(response.json?["title"] == "JSON Parse Exception")
    }

    @Test func unknownListIsResourceNotFound() async {
        let response = await send("GET", "/3.0/lists/nope/members")
        #expect(response.status == 404)
        #expect(response.json?["title"] == "Resource Not Found")
    }

    @Test func tagIsAStaticSegmentAndSegmentBatchAddsAndRemoves() async throws {
        _ = await send("POST", "/3.0/lists/\(list)/members", ["email_address": "s@freddiesjokes.com", "status": "subscribed"])
        let created = await send("POST", "/3.0/lists/\(list)/segments", ["name": "Cohort A", "static_segment": []])
        let id = try #require(created.json?["id"]?.intValue)
        let search = await send("GET", "/3.0/lists/\(list)/tag-search?name=cohort")
        #expect(search.json?["tags"]?.arrayValue?.first?["id"]?.intValue == id)
        let added = await send("POST", "/3.0/lists/\(list)/segments/\(id)", ["members_to_add": ["S@freddiesjokes.com", "absent@freddiesjokes.com"]])
        #expect(added.json?["total_added"] == 1)
        let removed = await send("POST", "/3.0/lists/\(list)/segments/\(id)", ["members_to_remove": ["s@freddiesjokes.com"]])
        #expect(removed.json?["total_removed"] == 1)
    }

    @Test func loopbackAndInProcessGiveIdenticalResponses() async throws {
        let server = try await LoopbackServer.start(handler: fake)
        defer { Task { await server.stop() } }
        let transport = AsyncHTTPClientTransport()
        let requests: [(String, String, JSONValue?)] = [
            ("GET", "/3.0/ping", nil),
            ("POST", "/3.0/lists/\(list)/members", ["email_address": "loop@freddiesjokes.com", "status": "subscribed"]),
            ("POST", "/3.0/lists/\(list)/members", ["email_address": "loop@freddiesjokes.com", "status": "subscribed"]),
            ("GET", "/3.0/lists/\(list)/members/\(subscriberHash("loop@freddiesjokes.com"))", nil),
        ]
        var viaLoopback: [HTTPResponse] = []
        for (method, path, body) in requests {
            var headers: HTTPHeaders = ["Authorization": "Bearer \(Self.key)"]
            if body != nil { headers.add("Content-Type", "application/json") }
            viaLoopback.append(try await transport.send(HTTPRequest(method: method, url: server.baseURL + path, headers: headers,
                                                                    body: body?.canonicalData ?? Data())))
        }
        let twin = try FakeMailchimp(world: MailchimpWorld(apiKey: Self.key, audiences: [.init(id: list, name: "News")]),
                                     seed: 1, clock: VirtualClock(start: SimTime(seconds: 1_700_000_000)))
        for (index, (method, path, body)) in requests.enumerated() {
            var headers: HTTPHeaders = ["Authorization": "Bearer \(Self.key)"]
            if body != nil { headers.add("Content-Type", "application/json") }
            let direct = await twin.handle(HTTPRequest(method: method, url: "http://127.0.0.1" + path, headers: headers,
                                                       body: body?.canonicalData ?? Data()))
            #expect(direct.status == viaLoopback[index].status)
            #expect(direct.body == viaLoopback[index].body, "response \(index) differs")
        }
    }
}

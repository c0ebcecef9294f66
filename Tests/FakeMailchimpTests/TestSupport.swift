import Foundation
import SimCore
import SimHTTP
@testable import FakeMailchimp

/// A fake account with one audience and helpers to call it like a client would.
struct MailchimpFixture {
    static let key = "0123456789abcdef0123456789abcdef-us6"
    static let start = SimTime(seconds: 1_700_000_000)
    static let list = "list000001"
    let fake: FakeMailchimp
    let clock: any SimClock

    init(members: [MailchimpWorld.Member] = [], mergeFields: [String] = ["FNAME", "LNAME", "ADDRESS", "PHONE"],
         faults: [FaultRule] = [], latency: LatencyModel = .off, otherClients: [OtherClientLoad] = [],
         clock: (any SimClock)? = nil) throws {
        let clock = clock ?? VirtualClock(start: Self.start)
        let world = MailchimpWorld(apiKey: Self.key, audiences: [
            .init(id: Self.list, name: "News", members: members, mergeFields: mergeFields),
        ])
        self.clock = clock
        fake = try FakeMailchimp(world: world, seed: 1, clock: clock, faults: faults, latency: latency, otherClients: otherClients)
    }

    func request(_ method: String, _ path: String, _ body: JSONValue? = nil, key: String = key,
                 headers extra: HTTPHeaders = [:]) -> HTTPRequest {
        var headers: HTTPHeaders = ["Authorization": "Basic " + Data("user:\(key)".utf8).base64EncodedString()]
        if body != nil { headers.add("Content-Type", "application/json") }
        for field in extra { headers.add(field.name, field.value) }
        return HTTPRequest(method: method, url: "https://us6.api.mailchimp.com" + path, headers: headers,
                           body: body?.canonicalData ?? Data())
    }

    func send(_ method: String, _ path: String, _ body: JSONValue? = nil, key: String = key,
              headers: HTTPHeaders = [:]) async -> HTTPResponse {
        await fake.handle(request(method, path, body, key: key, headers: headers))
    }
}

/// The fields of a problem document, for field-by-field comparison with the reference.
struct ProblemFields: Equatable, CustomStringConvertible {
    var status: Int64?
    var title: String?
    var detail: String?
    var type: String?

    init(status: Int64?, title: String?, detail: String?, type: String? = MailchimpProblem.errorType) {
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
    }

    init(_ response: HTTPResponse) {
        let json = response.json
        status = json?["status"]?.intValue
        title = json?["title"]?.stringValue
        detail = json?["detail"]?.stringValue
        type = json?["type"]?.stringValue
    }

    var description: String { "\(status ?? -1) \(title ?? "-"): \(detail ?? "-")" }
}

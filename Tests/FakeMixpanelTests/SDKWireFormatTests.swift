import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMixpanel

/// The official Python SDK posts `data=<json>&verbose=1&ip=0` as one form body and requires
/// `{"status": 1, "error": null}` back; replying `1` makes it raise.
@Suite(.timeLimit(.minutes(2))) struct SDKWireFormatTests {
    func fake() throws -> FakeMixpanel {
        try FakeMixpanel(world: MixpanelWorld(projectID: 7, token: "tok", idMerge: .simplified,
                                              serviceAccounts: [.init(username: "sa", secret: "pw", role: .admin)]),
                         seed: 1, clock: VirtualClock(start: SimTime(seconds: 1_800_000_000)))
    }

    func form(_ path: String, _ json: String) -> HTTPRequest {
        HTTPRequest(method: "POST", url: "https://api.mixpanel.com\(path)",
                    headers: ["Content-Type": "application/x-www-form-urlencoded"],
                    body: Data(URLCoding.encodeForm([("data", json), ("verbose", "1"), ("ip", "0")]).utf8))
    }

    @Test func verboseInTheFormBodyGetsAJSONReplyFromTrack() async throws {
        let response = await (try fake()).handle(form("/track", #"{"event":"Signed Up","properties":{"token":"tok","distinct_id":"u1","time":1800000000}}"#))
        #expect(response.json == ["status": 1, "error": nil])
    }

    @Test func verboseInTheFormBodyGetsAJSONReplyFromEngage() async throws {
        let response = await (try fake()).handle(form("/engage", #"{"$token":"tok","$distinct_id":"u1","$set":{"$email":"a@example.com"}}"#))
        #expect(response.json == ["status": 1, "error": nil])
    }
}

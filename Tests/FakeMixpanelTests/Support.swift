import Foundation
import SimCore
import SimHTTP
@testable import FakeMixpanel

/// Builds fakes and requests for the tests: project 7, token `tok`, accounts `sa` (admin) and `viewer` (consumer).
enum Fixture {
    static let start = SimTime(iso8601: "2026-03-15T12:00:00Z")!
    static let anon1 = "3f0c6a52-8d1e-4b7a-9c2d-1e5f7a9b3c4d"
    static let anon2 = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"

    static func fake(_ mode: MixpanelWorld.IDMerge = .original, profiles: [MixpanelWorld.Profile] = [],
                     events: [MixpanelWorld.Event] = [], cohorts: [MixpanelWorld.Cohort] = [],
                     identity: IdentitySettings = IdentitySettings(), mtu: MTUSettings = MTUSettings(),
                     queryRateLimit: Bool = false, sessionPagesCount: Bool = true, pageSize: Int = FakeMixpanel.pageSize,
                     faults: [FaultRule] = [], latency: LatencyModel = .off,
                     clock: VirtualClock = VirtualClock(start: start)) throws -> FakeMixpanel {
        let world = MixpanelWorld(projectID: 7, token: "tok", idMerge: mode,
                                  serviceAccounts: [.init(username: "sa", secret: "pw", role: .admin),
                                                    .init(username: "viewer", secret: "pw2", role: .consumer)],
                                  profiles: profiles, events: events, cohorts: cohorts)
        return try FakeMixpanel(world: world, seed: 1, clock: clock, identity: identity, mtu: mtu,
                                query: QuerySettings(rateLimited: queryRateLimit, sessionPagesCount: sessionPagesCount, pageSize: pageSize),
                                faults: faults, latency: latency)
    }

    static func basic(_ credentials: String) -> String { "Basic " + Data(credentials.utf8).base64EncodedString() }

    static func request(_ method: String, _ url: String, auth: String? = "sa:pw", contentType: String? = nil,
                        body: String = "") -> HTTPRequest {
        var headers: HTTPHeaders = [:]
        if let auth { headers.add("Authorization", basic(auth)) }
        if let contentType { headers.add("Content-Type", contentType) }
        return HTTPRequest(method: method, url: url, headers: headers, body: Data(body.utf8))
    }

    /// `POST /import?project_id=7` with a JSON body.
    static func importJSON(_ fake: FakeMixpanel, _ events: JSONValue, query: String = "", auth: String = "sa:pw") async -> HTTPResponse {
        await fake.handle(request("POST", "https://api.mixpanel.com/import?project_id=7" + query, auth: auth,
                                  contentType: "application/json", body: events.canonicalText))
    }

    /// `/engage` for one distinct_id; returns the first result.
    static func engage(_ fake: FakeMixpanel, distinctID: String) async -> JSONValue? {
        let response = await fake.handle(request("GET", "https://mixpanel.com/api/2.0/engage?project_id=7&distinct_id="
                                                  + URLCoding.encodeComponent(distinctID)))
        return response.json?["results"]?.arrayValue?.first
    }

    static func seconds(_ time: SimTime) -> JSONValue { .int(time.seconds) }
}

import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMixpanel

@Suite(.timeLimit(.minutes(2))) struct FakeMixpanelQueryTests {
    let fake: FakeMixpanel

    init() throws {
        let world = MixpanelWorld(projectID: 7, token: "tok", idMerge: .simplified,
                                  serviceAccounts: [.init(username: "sa", secret: "pw", role: .admin)],
                                  profiles: [.init(distinctID: "a", properties: ["$email": "a@example.com"])],
                                  events: [.init(name: "Visit", time: SimTime(seconds: 1_000), properties: ["distinct_id": "anon"])],
                                  cohorts: [.init(id: 1, name: "All", definition: .any([.ids(["a"]), .did(event: "Visit", atLeast: 1, withinDays: 30)]))])
        fake = try FakeMixpanel(world: world, seed: 1, clock: VirtualClock(start: SimTime(seconds: 2_000)))
    }

    func query(_ form: String, auth: String = "sa:pw") async -> HTTPResponse {
        await fake.handle(HTTPRequest(method: "POST", url: "https://mixpanel.com/api/query/engage?project_id=7",
                                      headers: ["Authorization": "Basic " + Data(auth.utf8).base64EncodedString(),
                                                "Content-Type": "application/x-www-form-urlencoded"],
                                      body: Data(form.utf8)))
    }

    @Test func includeAllUsersDefaultsToTrue() async {
        let response = await query("filter_by_cohort=%7B%22id%22%3A1%7D")
        #expect(response.json?["total"] == 2)
    }

    @Test func includeAllUsersFalseReturnsOnlyProfiles() async {
        let response = await query("filter_by_cohort=%7B%22id%22%3A1%7D&include_all_users=false")
        #expect(response.json?["total"] == 1)
        #expect(response.json?["results"]?.arrayValue?.first?["$distinct_id"] == "a")
        #expect(response.json?["page_size"] == 1000)
    }

    @Test func wrongCredentialsAre401WithTheQueryErrorShape() async {
        let response = await query("", auth: "sa:nope")
        #expect(response.status == 401)
        #expect(response.json?["error"] == "Invalid credentials")
        #expect(response.json?["request"] != nil)
    }

    @Test func laterPagesNeedASession() async {
        let response = await query("page=1")
        #expect(response.status == 400)
    }

    @Test func whereSelectsProfilesByProperty() async {
        let matching = await query("where=" + URLCoding.encodeComponent(#"properties["$email"] == "a@example.com""#))
        #expect(matching.json?["total"] == 1)
        let none = await query("where=" + URLCoding.encodeComponent(#"properties["$email"] == "b@example.com""#))
        #expect(none.json?["total"] == 0)
    }

    @Test func malformedWhereIsA400WithTheReason() async {
        let response = await query("where=" + URLCoding.encodeComponent(#"properties["$email"] =="#))
        #expect(response.status == 400)
        #expect(response.json?["error"]?.stringValue?.hasPrefix("invalid where:") == true)
    }
}

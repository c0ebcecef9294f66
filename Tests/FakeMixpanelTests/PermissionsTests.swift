import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMixpanel

@Suite(.timeLimit(.minutes(2))) struct PermissionsTests {
    let fake: FakeMixpanel
    init() throws { fake = try Fixture.fake() }

    @Test func anyMemberMayListTheProjectsAccountsWithTheirRoles() async {
        let response = await fake.handle(Fixture.request("GET", "https://mixpanel.com/api/app/projects/7/service-accounts",
                                                         auth: "viewer:pw2"))
        #expect(response.status == 200)
        let viewer = response.json?["results"]?.arrayValue?.first { $0["username"] == "viewer" }
        #expect(viewer?["role"] == "consumer")
    }

    @Test func appMeIsAnUnknownRoute() async {
        let response = await fake.handle(Fixture.request("GET", "https://mixpanel.com/api/app/me", auth: "viewer:pw2"))
        #expect(response.status == 404)
    }

    @Test func wrongCredentialsAre401AndOtherProjects403() async {
        let wrong = await fake.handle(Fixture.request("GET", "https://mixpanel.com/api/app/projects/7/service-accounts", auth: "sa:nope"))
        #expect(wrong.status == 401)
        #expect(wrong.json == ["error": "Invalid credentials", "status": "error"])
        let other = await fake.handle(Fixture.request("GET", "https://mixpanel.com/api/app/projects/8/service-accounts"))
        #expect(other.status == 403)
        let query = await fake.handle(Fixture.request("GET", "https://mixpanel.com/api/2.0/cohorts/list?project_id=8"))
        #expect(query.status == 403)
        #expect(query.json?["request"] != nil)
    }

    @Test func projectServiceAccountsCarryTheirRoles() async {
        let response = await fake.handle(Fixture.request("GET", "https://mixpanel.com/api/app/projects/7/service-accounts"))
        let results = response.json?["results"]?.arrayValue ?? []
        #expect(results.map { $0["username"] } == ["sa", "viewer"])
        #expect(results.map { $0["role"] } == ["admin", "consumer"])
        #expect(results.allSatisfy { $0["id"]?.intValue != nil && $0["target_type"] == "individual" })
    }
}

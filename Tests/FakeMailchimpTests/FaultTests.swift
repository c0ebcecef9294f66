import Foundation
import Testing
import SimCore
import SimHTTP
import SimHTTPClient
import SimHTTPServer
@testable import FakeMailchimp

@Suite(.timeLimit(.minutes(2))) struct FaultTests {
    /// Reference §3.2/§3.3: the bodies a status fault answers with.
    @Test(arguments: [
        (429, "TooManyRequests", "You have exceeded the limit of 10 simultaneous connections."),
        (500, "InternalServerError", "An unexpected internal error has occurred. Please contact Support for more information."),
        (503, "ComplianceRelated", "This method has been disabled."),
        (401, "API Key Invalid", "Your API key may be invalid, or you've attempted to access the wrong datacenter."),
        (403, "Forbidden", "API Access has been disabled for this account. Please contact customer support."),
        (404, "Resource Not Found", "The requested resource could not be found."),
    ])
    func statusFaultAnswersWithTheRealProblemBody(_ status: Int, _ title: String, _ detail: String) async throws {
        let fixture = try MailchimpFixture(faults: [FaultRule(path: "/3.0/ping", effect: .status(status))])
        let response = await fixture.send("GET", "/3.0/ping")
        #expect(response.status == status)
        #expect(ProblemFields(response) == ProblemFields(status: Int64(status), title: title, detail: detail))
        #expect(response.headers["Content-Type"] == "application/problem+json; charset=utf-8")
        #expect(response.json?["instance"]?.stringValue == response.headers["X-Request-Id"])
    }

    @Test func faultHitsOnlyMatchingRequestsAndOnlyAsOftenAsAllowed() async throws {
        let fixture = try MailchimpFixture(faults: [FaultRule(method: "GET", path: "/3.0/lists/*", effect: .status(500), times: 1)])
        #expect(await fixture.send("GET", "/3.0/ping").status == 200)
        #expect(await fixture.send("GET", "/3.0/lists/\(MailchimpFixture.list)").status == 500)
        #expect(await fixture.send("GET", "/3.0/lists/\(MailchimpFixture.list)").status == 200)
    }

    @Test func unauthenticatedRequestsAreRefusedBeforeFaults() async throws {
        let fixture = try MailchimpFixture(faults: [FaultRule(effect: .status(500))])
        let response = await fixture.send("GET", "/3.0/ping", key: "ffffffffffffffffffffffffffffffff-us6")
        #expect(response.status == 401)
    }

    @Test func droppedConnectionBecomesATransportError() async throws {
        let fixture = try MailchimpFixture(faults: [FaultRule(effect: .drop)])
        let transport = InProcessTransport { _ in fixture.fake }
        await #expect(throws: TransportError(.connectionDropped, request: "GET https://us6.api.mailchimp.com/3.0/ping")) {
            _ = try await transport.send(fixture.request("GET", "/3.0/ping"))
        }
    }

    /// Item 8: a delayed request stays in flight, so the 11th concurrent one gets 429.
    @Test func eleventhConcurrentDelayedRequestGetsTooManyRequests() async throws {
        let simulation = Simulation(start: MailchimpFixture.start)
        let fixture = try MailchimpFixture(faults: [FaultRule(path: "/3.0/ping", effect: .delay(.seconds(5)))],
                                           clock: simulation.clock)
        let (statuses, finishedAt) = try await simulation.run {
            let statuses = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<11 { group.addTask { await fixture.send("GET", "/3.0/ping").status } }
                var statuses: [Int] = []
                for await status in group { statuses.append(status) }
                return statuses
            }
            return (statuses, simulation.clock.now)
        }
        #expect(statuses.sorted() == Array(repeating: 200, count: 10) + [429])
        #expect(finishedAt == MailchimpFixture.start.adding(.seconds(5)))
    }

    @Test func requestsAfterTheDelayedOnesFinishAreAdmittedAgain() async throws {
        let simulation = Simulation(start: MailchimpFixture.start)
        let fixture = try MailchimpFixture(faults: [FaultRule(path: "/3.0/ping", effect: .delay(.seconds(1)), times: 10)],
                                           clock: simulation.clock)
        let statuses = try await simulation.run {
            await withTaskGroup(of: Int.self) { group in
                for _ in 0..<10 { group.addTask { await fixture.send("GET", "/3.0/ping").status } }
                var statuses: [Int] = []
                for await status in group { statuses.append(status) }
                return statuses + [await fixture.send("GET", "/3.0/ping").status]
            }
        }
        #expect(statuses == Array(repeating: 200, count: 11))
    }

    /// Item 5: `X-Trigger-Error` forces a glossary error.
    @Test(arguments: [
        ("APIKeyMissing", 401, "API Key Missing", "Your request did not include an API key."),
        ("API Key Invalid", 401, "API Key Invalid", "Your API key may be invalid, or you've attempted to access the wrong datacenter."),
        ("ResourceNotFound", 404, "Resource Not Found", "The requested resource could not be found."),
        ("InvalidAction", 400, "Invalid Action", "The action requested was not valid for this resource."),
        ("UserDisabled", 403, "User Disabled", "This account has been deactivated."),
        ("TooManyRequests", 429, "TooManyRequests", "You have exceeded the limit of 10 simultaneous connections."),
        ("ComplianceRelated", 503, "ComplianceRelated", "This method has been disabled."),
    ])
    func triggerErrorHeaderForcesAGlossaryError(_ name: String, _ status: Int, _ title: String, _ detail: String) async throws {
        let fixture = try MailchimpFixture()
        let response = await fixture.send("GET", "/3.0/ping", headers: ["X-Trigger-Error": name])
        #expect(response.status == status)
        #expect(ProblemFields(response) == ProblemFields(status: Int64(status), title: title, detail: detail))
    }

    @Test func unknownTriggerNameIsIgnored() async throws {
        let fixture = try MailchimpFixture()
        #expect(await fixture.send("GET", "/3.0/ping", headers: ["X-Trigger-Error": "NoSuchError"]).status == 200)
    }

    @Test func revokedKeyIsDisabled() async throws {
        let fixture = try MailchimpFixture()
        #expect(await fixture.send("GET", "/3.0/ping").status == 200)
        fixture.fake.revokeAPIKey()
        let response = await fixture.send("GET", "/3.0/ping")
        #expect(ProblemFields(response) == ProblemFields(status: 401, title: "API Key Invalid", detail: "API key has been disabled"))
        let wrong = await fixture.send("GET", "/3.0/ping", key: "ffffffffffffffffffffffffffffffff-us6")
        #expect(ProblemFields(wrong).detail == "Your API key may be invalid, or you've attempted to access the wrong datacenter.")
    }

    @Test func aNewKeyWorksAfterTheOldOneIsRevokedUntilItIsRevokedToo() async throws {
        let fixture = try MailchimpFixture()
        fixture.fake.revokeAPIKey()
        let newKey = "fedcba9876543210fedcba9876543210-us6"
        #expect(await fixture.send("GET", "/3.0/ping", key: newKey).status == 401)
        try fixture.fake.addAPIKey(newKey)
        #expect(await fixture.send("GET", "/3.0/ping", key: newKey).status == 200)
        #expect(await fixture.send("GET", "/3.0/ping").status == 401)
        fixture.fake.revokeAPIKey()
        #expect(ProblemFields(await fixture.send("GET", "/3.0/ping", key: newKey)).detail == "API key has been disabled")
    }

    @Test func aNewKeyMustNameTheAccountsDataCentre() throws {
        let fixture = try MailchimpFixture()
        #expect(throws: MailchimpKeyError.self) { try fixture.fake.addAPIKey("fedcba9876543210fedcba9876543210-us9") }
    }
}

@Suite(.timeLimit(.minutes(2))) struct LoopbackFaultTests {
    /// A dropped connection over real HTTP is a closed socket, never an HTTP status.
    @Test(arguments: [FaultRule.Effect.drop, .loseResponse])
    func aDropFaultClosesTheSocketBeforeAnyResponse(_ effect: FaultRule.Effect) async throws {
        let fixture = try MailchimpFixture(faults: [FaultRule(path: "/3.0/ping", effect: effect, times: 1)])
        let server = try await LoopbackServer.start(handler: fixture.fake)
        let transport = AsyncHTTPClientTransport()
        var request = fixture.request("GET", "/3.0/ping")
        request = HTTPRequest(method: request.method, url: server.baseURL + "/3.0/ping", headers: request.headers)
        do {
            let response = try await transport.send(request)
            Issue.record("expected a closed connection, got HTTP \(response.status)")
        } catch let error as TransportError {
            #expect(error.kind == .connectionDropped)
        }
        do {
            _ = try await transport.send(request)
        } catch {
            Issue.record("the fault hit once, so the second request should be answered: \(error)")
        }
        await server.stop()
    }
}

import Testing
import SimCore
import SimHTTP
@testable import FakeMailchimp

/// Addresses the real API refuses as fake, beside the malformed ones (`docs/fidelity.md`, "Addresses").
@Suite(.timeLimit(.minutes(2))) struct RefusedAddressTests {
    static let list = MailchimpFixture.list

    /// The recorded refusal (grouparoo/grouparoo `plugins/@grouparoo/mailchimp/__tests__/fixtures/export/exportRecord.js`).
    @Test func addingAnExampleDotComAddressIsRefusedAsFake() async throws {
        let fixture = try MailchimpFixture()
        let response = await fixture.send("POST", "/3.0/lists/\(Self.list)/members",
                                          ["email_address": "foo@example.com", "status": "subscribed"])
        #expect(ProblemFields(response) == ProblemFields(status: 400, title: "Invalid Resource",
                                                         detail: "foo@example.com looks fake or invalid, please enter a real email address."))
        #expect(await fixture.send("GET", "/3.0/lists/\(Self.list)/members/foo@example.com").status == 404)
    }

    /// The recorded malformed-address body, same fixture file: `AAAAA`.
    @Test func aMalformedAddressIsInvalidNotFake() async throws {
        let fixture = try MailchimpFixture()
        let response = await fixture.send("POST", "/3.0/lists/\(Self.list)/members", ["email_address": "AAAAA", "status": "subscribed"])
        #expect(ProblemFields(response) == ProblemFields(status: 400, title: "Invalid Resource", detail: "Please provide a valid email address."))
    }

    @Test(arguments: ["Foo@Example.COM", "a@shop.example.com", "a@example.org", "a@example.net", "a@yopmail.com",
                      "a@host.test", "a@mail.invalid", "a@site.example", "a@box.localhost"])
    func upsertOfADefaultRefusedAddressIsRefused(_ email: String) async throws {
        let fixture = try MailchimpFixture()
        let response = await fixture.send("PUT", "/3.0/lists/\(Self.list)/members/\(subscriberHash(email))",
                                          ["email_address": .string(email), "status_if_new": "subscribed"])
        #expect(response.status == 400)
        #expect(response.json?["detail"] == .string("\(email) looks fake or invalid, please enter a real email address."))
    }

    @Test(arguments: ["urist.mcvankab@freddiesjokes.com", "a@myexample.com", "a@example.co", "a@test.io"])
    func addressesOutsideTheSetAreAccepted(_ email: String) async throws {
        let fixture = try MailchimpFixture()
        let response = await fixture.send("POST", "/3.0/lists/\(Self.list)/members", ["email_address": .string(email), "status": "subscribed"])
        #expect(response.status == 200)
    }

    @Test func batchSubscribeReportsRefusedAndMalformedAddressesPerItem() async throws {
        let fixture = try MailchimpFixture()
        let response = await fixture.send("POST", "/3.0/lists/\(Self.list)", ["members": [
            ["email_address": "ok@freddiesjokes.com", "status": "subscribed"],
            ["email_address": "foo@example.com", "status": "subscribed"],
            ["email_address": "AAAAA", "status": "subscribed"],
        ]])
        #expect(response.status == 200)
        #expect(response.json?["total_created"] == 1)
        let errors = response.json?["errors"]?.arrayValue ?? []
        #expect(errors.map { $0["error_code"]?.stringValue } == ["ERROR_GENERIC", "ERROR_GENERIC"])
        #expect(errors.map { $0["error"]?.stringValue } == ["foo@example.com looks fake or invalid, please enter a real email address.",
                                                            "Please provide a valid email address."])
        #expect(errors.map { $0["email_address"]?.stringValue } == ["foo@example.com", "AAAAA"])
    }

    @Test func aScenarioExtendsTheSetWithDomainsAndAddresses() async throws {
        var world = MailchimpWorld(apiKey: MailchimpFixture.key, audiences: [.init(id: Self.list, name: "News")],
                                   fakeEmails: ["one@freddiesjokes.com"])
        world.refusedDomains = ["mailinator.com"]
        let fake = try FakeMailchimp(world: world, seed: 1, clock: VirtualClock(start: MailchimpFixture.start))
        #expect(world.refusedAddresses.refuses("x@eu.mailinator.com"))
        #expect(world.refusedAddresses.refuses("ONE@freddiesjokes.com"))
        #expect(world.refusedAddresses.refuses("foo@example.com"))
        #expect(!world.refusedAddresses.refuses("two@freddiesjokes.com"))
        let fixture = try MailchimpFixture()
        let request = fixture.request("POST", "/3.0/lists/\(Self.list)/members", ["email_address": "t@mailinator.com", "status": "subscribed"])
        #expect(await fake.handle(request).json?["detail"] == "t@mailinator.com looks fake or invalid, please enter a real email address.")
    }

    @Test func everyDefaultDomainNamesItsSource() {
        #expect(RefusedAddresses.defaults.allSatisfy { !$0.source.isEmpty })
        #expect(RefusedAddresses.defaults.filter { $0.basis == .recorded }.map(\.domain) == ["example.com", "yopmail.com"])
    }
}

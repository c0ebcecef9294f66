import Foundation
import SimCore
import SimProxy
import Testing
@testable import Harness

/// `cohortsim serve --proxy`: an unmodified HTTPS client (curl, Python `requests`) reaches the
/// fakes at the real hosts through the proxy, trusting the per-run CA; other hosts are refused.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ForwardProxyTests {
    static let yaml = """
        name: proxied
        start: 2026-10-05T09:00:00Z
        mixpanel:
          profiles:
            - {distinct_id: u1, properties: {$email: one@freddiesjokes.com}}
        mailchimp:
          audiences: [{name: Readers}]
        steps: []
        """

    /// Runs a program to completion; returns its exit status and standard output.
    func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func withProxy(_ body: (ForwardProxy, String, Scenario) async throws -> Void) async throws {
        let parsed = try scenario(Self.yaml)
        let servers = try await FakeServers.start(scenario: parsed, clock: SystemClock())
        let caFile = try temporaryFolder() + "/ca.pem"
        let proxy = try await servers.startProxy(port: 0, caFile: caFile)
        do {
            try await body(proxy, caFile, parsed)
        } catch {
            await proxy.stop()
            await servers.stop()
            throw error
        }
        await proxy.stop()
        await servers.stop()
    }

    @Test func curlReachesTheFakeMailchimpAtItsRealHostThroughTheProxy() async throws {
        try await withProxy { proxy, caFile, parsed in
            let dc = try #require(parsed.mailchimp.apiKey.split(separator: "-").last)
            let (status, output) = try run("/usr/bin/curl", [
                "-sS", "--proxy", proxy.url, "--cacert", caFile, "-u", "any:\(parsed.mailchimp.apiKey)",
                "https://\(dc).api.mailchimp.com/3.0/lists",
            ])
            #expect(status == 0, "\(output)")
            #expect(try JSONValue(parsing: output)["total_items"] == 1, "\(output)")
        }
    }

    @Test func pythonRequestsReachesTheFakeMixpanelWithHTTPSProxyAndTheCAFile() async throws {
        try await withProxy { proxy, caFile, parsed in
            let account = try #require(parsed.mixpanel.serviceAccounts.first)
            let script = """
                import requests, sys
                r = requests.get("https://mixpanel.com/api/query/engage", params={"project_id": \(parsed.mixpanel.projectID)},
                                 auth=("\(account.username)", "\(account.secret)"))
                print(r.status_code, r.json()["total"])
                """
            let (status, output) = try run("/usr/bin/env", ["python3", "-c", script],
                                           environment: ["HTTPS_PROXY": proxy.url, "REQUESTS_CA_BUNDLE": caFile])
            #expect(status == 0 && output.hasPrefix("200 1"), "\(output)")
        }
    }

    @Test func anyOtherHostIsRefusedAtConnect() async throws {
        try await withProxy { proxy, caFile, _ in
            let (status, output) = try run("/usr/bin/curl", [
                "-sS", "--proxy", proxy.url, "--cacert", caFile, "-o", "/dev/null", "-w", "%{http_connect}",
                "https://example.org/",
            ])
            #expect(status != 0)
            #expect(output.contains("403"), "\(output)")
        }
    }

    @Test(arguments: [("us6.api.mailchimp.com", ProxyTarget.mailchimp), ("US21.API.MAILCHIMP.COM", .mailchimp),
                      ("mixpanel.com", .mixpanel), ("api-eu.mixpanel.com", .mixpanel), ("data-in.mixpanel.com", .mixpanel)])
    func realAPIHostsAreRouted(_ host: String, _ target: ProxyTarget) {
        #expect(ProxyTarget(host: host) == target)
    }

    @Test(arguments: ["api.mailchimp.com", "login.mailchimp.com", "us6.api.mailchimp.com.evil.org", "evilmixpanel.com",
                      "example.org", "6.api.mailchimp.com"])
    func otherHostsAreNotRouted(_ host: String) {
        #expect(ProxyTarget(host: host) == nil)
    }
}

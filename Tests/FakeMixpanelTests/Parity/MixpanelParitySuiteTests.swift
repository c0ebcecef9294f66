import Foundation
import Testing
import SimCore
import SimHTTP
import SimHTTPClient
import SimHTTPServer
@testable import FakeMixpanel

/// The fake Mixpanel's parity suite (issue 14): every recorded case against a fresh fake
/// in-process and against another over loopback HTTP (what `cohortsim serve` runs), with the
/// recorded answer and byte-identical bodies on both paths.
@Suite(.timeLimit(.minutes(3))) struct MixpanelParitySuiteTests {
    static let all = IssueReportMixpanelCases.cases

    static func request(_ parity: MixpanelParityCase, base: String) -> HTTPRequest {
        Fixture.request(parity.method, base + parity.path, auth: parity.auth, contentType: parity.contentType, body: parity.body)
    }

    @Test func everyCaseNamesItsSourceAndDate() {
        #expect(Set(Self.all.map(\.name)).count == Self.all.count)
        for parity in Self.all {
            #expect(parity.source.hasPrefix("https://") && !parity.recorded.isEmpty, "\(parity.name)")
        }
    }

    @Test(arguments: all)
    func theFakeAnswersAsTheRecordingInProcessAndOverLoopback(_ parity: MixpanelParityCase) async throws {
        let inProcess = try await Fixture.fake().handle(Self.request(parity, base: "https://api.mixpanel.com"))
        let server = try await LoopbackServer.start(handler: try Fixture.fake())
        let transport = AsyncHTTPClientTransport(connectionsPerHost: 1)
        var overLoopback: HTTPResponse?
        do {
            overLoopback = try await transport.send(Self.request(parity, base: server.baseURL))
        } catch {
            Issue.record("loopback failed: \(error)")
        }
        do { try await transport.shutdown() } catch { Issue.record("transport shutdown: \(error)") }
        await server.stop()
        Self.check(inProcess, parity, "in-process")
        if let overLoopback {
            Self.check(overLoopback, parity, "loopback")
            #expect(overLoopback.body == inProcess.body, "\(parity.name): the two transports differ")
        }
    }

    static func check(_ response: HTTPResponse, _ parity: MixpanelParityCase, _ label: String) {
        #expect(response.status == parity.status, "\(parity.name), \(label): status")
        let json = response.json
        for (path, value) in parity.expect {
            let actual = json.flatMap { lookup($0, path) }
            #expect(actual == value, "\(parity.name), \(label): \(path) is \(actual.map(\.canonicalText) ?? "missing"), recorded \(value.canonicalText)")
        }
    }

    /// The value at a dotted path; a numeric component indexes an array; `""` is the whole value.
    static func lookup(_ value: JSONValue, _ path: String) -> JSONValue? {
        var current: JSONValue? = value
        for component in path.split(separator: ".").map(String.init) {
            if let index = Int(component), let array = current?.arrayValue {
                current = index < array.count ? array[index] : nil
            } else {
                current = current?.objectValue?[component]
            }
        }
        return current
    }
}

import Foundation
import Testing
import SimCore
import SimHTTP
import SimHTTPClient
import SimHTTPServer
@testable import FakeMailchimp

/// The parity suite (issue 14): every recorded case, against a fresh fake in-process and against
/// another fresh fake over loopback HTTP (what `cohortsim serve` runs), with the recorded answers
/// and byte-identical responses on both paths.
@Suite(.timeLimit(.minutes(3))) struct ParitySuiteTests {
    static let key = "0123456789abcdef0123456789abcdef-us3"
    static let all = GrouparooCases.cases + IssueReportCases.cases

    static func fake(for parity: ParityCase) throws -> FakeMailchimp {
        let audience = parity.audience
        let members = audience.members.map { MailchimpWorld.Member(email: $0.email, status: $0.status, mergeFields: $0.mergeFields) }
        let world = MailchimpWorld(apiKey: key, audiences: [.init(id: audience.id, name: "Parity", members: members, mergeFields: audience.mergeFields)])
        return try FakeMailchimp(world: world, seed: 14, clock: VirtualClock(start: SimTime(seconds: 1_637_707_916)))
    }

    static func request(_ exchange: ParityExchange, list: String, base: String) -> HTTPRequest {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(key)"]
        if exchange.body != nil { headers.add("Content-Type", "application/json") }
        let path = "/3.0" + exchange.path.replacingOccurrences(of: "{list}", with: list)
        return HTTPRequest(method: exchange.method, url: base + path, headers: headers, body: exchange.body?.canonicalData ?? Data())
    }

    @Test func everyCaseNamesItsSourceAndDate() {
        #expect(Set(Self.all.map(\.name)).count == Self.all.count)
        for parity in Self.all {
            #expect(!parity.source.isEmpty && !parity.recorded.isEmpty, "\(parity.name)")
            #expect(parity.source.contains("github.com") || parity.source.contains(".js@") || parity.source.hasPrefix("https://"), "\(parity.name)")
        }
    }

    @Test(arguments: all)
    func theFakeAnswersAsTheRecordingInProcessAndOverLoopback(_ parity: ParityCase) async throws {
        let direct = try Self.fake(for: parity)
        var inProcess: [HTTPResponse] = []
        for exchange in parity.exchanges {
            inProcess.append(await direct.handle(Self.request(exchange, list: parity.audience.id, base: "https://us3.api.mailchimp.com")))
        }
        let served = try Self.fake(for: parity)
        let server = try await LoopbackServer.start(handler: served)
        let transport = AsyncHTTPClientTransport(connectionsPerHost: 1)
        var overLoopback: [HTTPResponse] = []
        do {
            for exchange in parity.exchanges {
                overLoopback.append(try await transport.send(Self.request(exchange, list: parity.audience.id, base: server.baseURL)))
            }
        } catch {
            Issue.record("loopback failed: \(error)")
        }
        do { try await transport.shutdown() } catch { Issue.record("transport shutdown: \(error)") }
        await server.stop()
        for (index, exchange) in parity.exchanges.enumerated() {
            ParityCheck.matches(inProcess[index], exchange, "\(parity.name), exchange \(index + 1), in-process")
            guard index < overLoopback.count else { continue }
            ParityCheck.matches(overLoopback[index], exchange, "\(parity.name), exchange \(index + 1), loopback")
            #expect(inProcess[index].status == overLoopback[index].status)
            #expect(inProcess[index].body == overLoopback[index].body, "\(parity.name), exchange \(index + 1): the two transports differ")
        }
    }
}

/// Compares one response with what the recording shows.
enum ParityCheck {
    static func matches(_ response: HTTPResponse, _ exchange: ParityExchange, _ label: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == exchange.status, "\(label): status", sourceLocation: sourceLocation)
        if exchange.status == 204 { #expect(response.body.isEmpty, "\(label): a 204 has no body", sourceLocation: sourceLocation) }
        let json = response.json
        for (path, value) in exchange.expect {
            let actual = json.flatMap { lookup($0, path) }
            #expect(actual == value, "\(label): \(path) is \(actual.map(\.canonicalText) ?? "missing"), recorded \(value.canonicalText)",
                    sourceLocation: sourceLocation)
        }
        for path in exchange.absent {
            #expect(json.flatMap { lookup($0, path) } == nil, "\(label): \(path) should be absent", sourceLocation: sourceLocation)
        }
        for (name, value) in exchange.headers {
            #expect(response.headers[name] == value, "\(label): header \(name)", sourceLocation: sourceLocation)
        }
    }

    /// The value at a dotted path; a numeric component indexes an array.
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

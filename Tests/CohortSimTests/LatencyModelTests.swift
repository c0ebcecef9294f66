import Foundation
import Testing
import SimCore
import SimHTTP

/// The service-time model the fakes share: per route, growing with the bytes moved, jittered
/// by a seeded draw so the same request at the same time always costs the same.
@Suite(.timeLimit(.minutes(2))) struct LatencyModelTests {
    static let start = SimTime(seconds: 1_800_000_000)
    static let model = LatencyModel(rules: [
        .init(method: "POST", path: "/3.0/lists/*", base: SimDuration(milliseconds: 500), perKiB: SimDuration(milliseconds: 40)),
        .init(base: SimDuration(milliseconds: 300)),
    ])

    static func post(bytes: Int) -> HTTPRequest {
        HTTPRequest(method: "POST", url: "https://us1.api.mailchimp.com/3.0/lists/abc", body: Data(repeating: 65, count: bytes))
    }

    @Test func theSameRequestAtTheSameTimeAlwaysCostsTheSame() {
        let request = Self.post(bytes: 10_000)
        let times = (0..<5).map { _ in Self.model.serviceTime(for: request, responseBytes: 200, arrival: Self.start, seed: 7) }
        #expect(Set(times.map(\.milliseconds)).count == 1)
    }

    @Test func aLargerBodyCostsMoreThanASmallOne() {
        let quiet = LatencyModel(rules: Self.model.rules.map { var rule = $0; rule.jitter = 0; return rule })
        let small = quiet.serviceTime(for: Self.post(bytes: 0), responseBytes: 0, arrival: Self.start, seed: 7)
        let large = quiet.serviceTime(for: Self.post(bytes: 500 * 1024), responseBytes: 0, arrival: Self.start, seed: 7)
        #expect(small.milliseconds == 500)
        #expect(large.milliseconds == 500 + 40 * 500)
    }

    @Test func jitterStaysWithinItsBandAndDependsOnTheSeed() {
        let request = Self.post(bytes: 0)
        let draws = (0..<200).map { Self.model.serviceTime(for: request, responseBytes: 0, arrival: Self.start, seed: UInt64($0)).milliseconds }
        #expect(draws.allSatisfy { (375...625).contains($0) })
        #expect(Set(draws).count > 50)
    }

    @Test func theFirstMatchingRuleWinsAndOverridesComeFirst() {
        let get = HTTPRequest(method: "GET", url: "https://us1.api.mailchimp.com/3.0/ping")
        let fixed = Self.model.overridden(by: [.init(path: "/3.0/ping", base: .seconds(9), jitter: 0)])
        #expect(fixed.serviceTime(for: get, responseBytes: 0, arrival: Self.start, seed: 1).milliseconds == 9_000)
        #expect(LatencyModel.off.serviceTime(for: get, responseBytes: 0, arrival: Self.start, seed: 1).milliseconds == 0)
    }

    @Test func aRuleWithAWindowAppliesOnlyInsideIt() {
        let window = LatencyModel(rules: [.init(base: .seconds(90), jitter: 0, from: Self.start.adding(.hours(1)),
                                                until: Self.start.adding(.hours(2)))])
        let get = HTTPRequest(method: "GET", url: "https://us1.api.mailchimp.com/3.0/ping")
        #expect(window.serviceTime(for: get, responseBytes: 0, arrival: Self.start, seed: 1).milliseconds == 0)
        #expect(window.serviceTime(for: get, responseBytes: 0, arrival: Self.start.adding(.minutes(90)), seed: 1).milliseconds == 90_000)
        #expect(window.serviceTime(for: get, responseBytes: 0, arrival: Self.start.adding(.hours(2)), seed: 1).milliseconds == 0)
    }
}

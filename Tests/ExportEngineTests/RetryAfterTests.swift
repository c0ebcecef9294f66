import Testing
import SimCore
@testable import ExportEngine

/// `Retry-After` in both of RFC 9110's forms, read against the virtual now.
@Suite(.timeLimit(.minutes(1))) struct RetryAfterTests {
    /// 1994-11-06T08:49:37Z, the RFC's own example instant.
    static let example = SimTime(iso8601: "1994-11-06T08:49:37Z")!

    @Test func wholeSecondsAreTheWait() {
        #expect(RetryAfter.delay("120", now: Self.example) == .seconds(120))
        #expect(RetryAfter.delay(" 3 ", now: Self.example) == .seconds(3))
    }

    @Test(arguments: ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"])
    func anHTTPDateWaitsUntilThatInstant(_ value: String) {
        let now = Self.example.adding(.seconds(-90))
        #expect(RetryAfter.delay(value, now: now) == .seconds(90), "\(value)")
    }

    @Test func aDateInThePastAsksForNoWait() {
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:37 GMT", now: Self.example.adding(.hours(1))) == .seconds(0))
    }

    @Test(arguments: ["soon", "-5", "", "1.5", "Sun, 32 Nov 1994 08:49:37 GMT"])
    func anythingElseFallsBackToTheBackoff(_ value: String) {
        #expect(RetryAfter.delay(value, now: Self.example) == nil, "\(value)")
    }
}

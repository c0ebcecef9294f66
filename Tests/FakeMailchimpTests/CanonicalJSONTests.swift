import Foundation
import Testing
import SimCore
@testable import FakeMailchimp

/// `CanonicalJSON` writes exactly `JSONValue.canonicalText`.
@Suite struct CanonicalJSONTests {
    static let strings = ["", "plain", "quote\"d", "back\\slash", "line\nbreak\r\ttab", "\u{01}\u{1F}\u{7F}", "zoë", "😀", "e\u{301}",
                          "Zoë \"Z\"\n", "a/b", "\u{2028}"]
    static let doubles: [Double] = [1.0, 1.5, -0.0, 1e15, 1e16, 123456789.25, .infinity, -.infinity, .nan, 0.1, -3.0]

    static func value(_ generator: inout SeededGenerator, depth: Int) -> JSONValue {
        switch generator.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(generator.next() % 2 == 0)
        case 2: return .int(Int64(bitPattern: generator.next()) >> Int64(generator.next() % 64))
        case 3: return .double(doubles[Int(generator.next() % UInt64(doubles.count))])
        case 4: return .string(strings[Int(generator.next() % UInt64(strings.count))])
        case 5: return .array((0..<Int(generator.next() % 4)).map { _ in value(&generator, depth: depth + 1) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int(generator.next() % 5) {
                object[strings[Int(generator.next() % UInt64(strings.count))] + "k"] = value(&generator, depth: depth + 1)
            }
            return .object(object)
        }
    }

    @Test func randomValuesEncodeToTheCanonicalBytes() {
        var generator = SeededGenerator(seed: 5, stream: "canonical-json")
        for _ in 0..<3000 {
            let value = Self.value(&generator, depth: 0)
            #expect(CanonicalJSON.data(value) == value.canonicalData, "\(value.canonicalText)")
            #expect(CanonicalJSON.text(value) == value.canonicalText)
        }
    }
}

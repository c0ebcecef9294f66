import Foundation
import SimCore
import Testing

/// The JSON parser against RFC 8259 and against Foundation's `JSONSerialization` as an oracle.
@Suite(.timeLimit(.minutes(2))) struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue(parsing: #" {"a": [1, -2, 3.5, 1e3, true, false, null], "b": {"c": "d"}, "e": ""} "#)
        #expect(value == ["a": [1, -2, .double(3.5), .double(1000), true, false, nil], "b": ["c": "d"], "e": ""])
    }

    @Test func acceptsAnyValueAtTheTopLevel() throws {
        #expect(try JSONValue(parsing: "42") == 42)
        #expect(try JSONValue(parsing: "\"x\"") == "x")
        #expect(try JSONValue(parsing: " null ") == nil)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONValue(parsing: #""a\"b\\c\/d\b\f\n\r\t \u00e9 \ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/d\u{08}\u{0C}\n\r\t é 😀"))
    }

    @Test func keepsUTF8Text() throws {
        #expect(try JSONValue(parsing: "\"Zoë ☃ 😀\"") == "Zoë ☃ 😀")
    }

    @Test func integersThatOverflowBecomeDoubles() throws {
        #expect(try JSONValue(parsing: "9223372036854775807") == .int(Int64.max))
        #expect(try JSONValue(parsing: "92233720368547758070") == .double(92233720368547758070))
    }

    @Test(arguments: [
        "", " ", "[1,]", "{\"a\":1,}", "{a:1}", "[1 2]", "01", "1.", ".5", "-", "1e", "tru", "nul", "\"abc",
        "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"a\u{01}b\"", "[1] x", "{\"a\" 1}", "// c\n1", "NaN", "1e999",
    ])
    func rejectsInvalidDocumentsWithAnOffset(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        do { _ = try JSONValue(parsing: text) } catch let error as JSONParseError {
            #expect(error.reason.contains("at byte"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: Data([0x22, 0xFF, 0x22])) }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? JSONValue(parsing: fine)) != nil)
    }

    @Test func aRepeatedKeyKeepsItsLastValue() throws {
        #expect(try JSONValue(parsing: #"{"a":1,"a":2}"#) == ["a": 2])
    }

    /// Random documents round-trip through the canonical writer, and Foundation reads the same
    /// structure from them.
    @Test func agreesWithFoundationOnGeneratedDocuments() throws {
        var generator = SeededGenerator(seed: 7, stream: "json")
        for _ in 0..<300 {
            let value = Self.randomValue(depth: 0, using: &generator)
            let text = value.canonicalText
            let parsed = try JSONValue(parsing: text)
            #expect(parsed == value, "\(text)")
            #expect(parsed.canonicalText == text)
            let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            let again = try JSONSerialization.data(withJSONObject: foundation, options: [.fragmentsAllowed, .sortedKeys])
            let reparsed = try JSONValue(parsing: again)
            #expect(reparsed.canonicalText.count > 0)
            #expect(Self.shape(reparsed) == Self.shape(parsed), "\(text)")
        }
    }

    /// Structure and strings, ignoring how numbers are spelled (Foundation writes 1.0 as 1).
    private static func shape(_ value: JSONValue) -> String {
        switch value {
        case .int, .double: "n"
        case .array(let a): "[" + a.map(shape).joined(separator: ",") + "]"
        case .object(let o): "{" + o.keys.sorted().map { "\($0):\(shape(o[$0]!))" }.joined(separator: ",") + "}"
        default: value.canonicalText
        }
    }

    static func randomValue(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
        let kind = depth > 3 ? Int.random(in: 0..<5, using: &generator) : Int.random(in: 0..<7, using: &generator)
        switch kind {
        case 0: return nil
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .int(Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &generator))
        case 3: return .double(Double(Int.random(in: -100_000...100_000, using: &generator)) / 64)
        case 4:
            let alphabet = Array("ab\"\\/\n\t\u{01}é☃😀 ")
            return .string(String((0..<Int.random(in: 0..<12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
        case 5: return .array((0..<Int.random(in: 0..<5, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var object: [String: JSONValue] = [:]
            for i in 0..<Int.random(in: 0..<5, using: &generator) { object["k\(i)\(["", "é", "\""][i % 3])"] = randomValue(depth: depth + 1, using: &generator) }
            return .object(object)
        }
    }
}

import Foundation
import SimCore
import Testing

/// Locating an object's members without decoding them, checked against the full parser.
@Suite(.timeLimit(.minutes(2))) struct JSONObjectMembersTests {
    private static func members(_ text: String) throws -> [(key: String, member: String, value: String)] {
        let bytes = Array(text.utf8)
        var found: [(String, String, String)] = []
        try bytes.withUnsafeBytes { raw in
            try JSONObjectMembers.forEach(in: raw) { key, member, value in
                found.append((key, String(decoding: bytes[member], as: UTF8.self), String(decoding: bytes[value], as: UTF8.self)))
            }
        }
        return found
    }

    @Test func eachMemberSpansItsKeyAndValueAsWritten() throws {
        let found = try Self.members(#" { "a" : [1, {"x": "}"}], "b\"c": "q\\\"", "d": -1.5e3 } "#)
        #expect(found.map(\.key) == ["a", "b\"c", "d"])
        #expect(found.map(\.member) == [#""a" : [1, {"x": "}"}]"#, #""b\"c": "q\\\"""#, #""d": -1.5e3"#])
        #expect(found.map(\.value) == [#"[1, {"x": "}"}]"#, #""q\\\"""#, "-1.5e3"])
        #expect(try Self.members("{}").isEmpty)
    }

    @Test func generatedObjectsGiveTheValuesTheParserReads() throws {
        var generator = SeededGenerator(seed: 11, stream: "members")
        for _ in 0..<300 {
            guard case .object(let object) = JSONParserTests.randomValue(depth: 0, using: &generator) else { continue }
            let text = JSONValue.object(object).canonicalText
            let found = try Self.members(text)
            #expect(found.map(\.key) == object.keys.sorted(), "\(text)")
            for (key, member, value) in found {
                #expect(try JSONValue(parsing: value) == object[key], "\(text)")
                #expect(member == JSONValue.string(key).canonicalText + ":" + value)
            }
        }
    }

    @Test(arguments: ["", "[]", "1", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":1 \"b\":2}", "{a:1}", "{\"a\":[1}",
                      "{\"a\":\"x}", "{\"a\":tru}", "{\"a\":1} x", "{\"a\":\"\u{01}\"}"])
    func malformedObjectsAreErrors(_ text: String) {
        #expect(throws: JSONParseError.self) { try Self.members(text) }
    }
}

import Foundation
import Testing
import SimCore
@testable import FakeMailchimp

/// `QuickJSON` answers only with what `JSONValue(parsing:)` gives, and leaves everything outside
/// its subset (or invalid) to it.
@Suite struct QuickJSONTests {
    /// The invariant: a quick answer is always the Foundation answer.
    func expectAgreement(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let data = Data(text.utf8)
        guard let quick = QuickJSON.object(data) else { return }
        #expect((try? JSONValue(parsing: data)) == .object(quick), "\(text)", sourceLocation: sourceLocation)
    }

    @Test func engineBodiesTakeTheFastPathAndAgree() {
        let members = (0..<500).map { #"{"email_address":"user\#($0)@example.com","status_if_new":"subscribed","merge_fields":{"FNAME":"F\#($0)","LNAME":""}}"# }
        let bodies = [
            #"{"members":[\#(members.joined(separator: ","))],"update_existing":false}"#,
            #"{"members_to_add":["a@example.com","b@example.com"],"members_to_remove":[]}"#,
            " {\n\t\"name\" : \"Cohort: Buyers\", \"static_segment\" : [ ] }\r\n",
            #"{"n":-12,"z":0,"big":999999999999999999,"t":true,"f":false,"x":null,"o":{"a":[[],{}]}}"#,
        ]
        for body in bodies {
            #expect(QuickJSON.object(Data(body.utf8)) != nil, "\(body.prefix(60))")
            expectAgreement(body)
        }
    }

    @Test(arguments: [
        #"{"a":"x","a":"y"}"#, #"{"a":"\u00e9"}"#, #"{"a":"é"}"#, #"{"a":"tab\#t"}"#, #"{"a":"x\"y"}"#,
        #"{"a":1.0}"#, #"{"a":1e3}"#, #"{"a":-0}"#, #"{"a":01}"#, #"{"a":1234567890123456789}"#, #"{"a":"x",}"#,
        #"[1,2]"#, #""text""#, "", "\u{FEFF}{}", #"{"a":tru}"#, #"{"a" "b"}"#, #"{"a":1}x"#, #"{"a":[1,]}"#,
        String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
    ])
    func bodiesOutsideTheSubsetAreLeftToFoundation(_ text: String) {
        let wrapped = text.hasPrefix("[") && text.count > 100 ? #"{"deep":\#(text)}"# : text
        #expect(QuickJSON.object(Data(wrapped.utf8)) == nil)
    }

    @Test func randomDocumentsAndTheirMutationsNeverDisagree() {
        var generator = SeededGenerator(seed: 42, stream: "quick-json")
        var answered = 0
        for _ in 0..<3000 {
            var text = Array(Self.document(&generator, depth: 0).utf8)
            for _ in 0..<Int(generator.next() % 3) where !text.isEmpty {
                let position = Int(generator.next() % UInt64(text.count))
                let bytes = Array(#"{}[]",:0-19.eE tfnul\ "#.utf8) + [0x7F, 0xC3, 0x01]
                switch generator.next() % 3 {
                case 0: text.remove(at: position)
                case 1: text.insert(bytes[Int(generator.next() % UInt64(bytes.count))], at: position)
                default: text[position] = bytes[Int(generator.next() % UInt64(bytes.count))]
                }
            }
            let data = Data(text)
            if let quick = QuickJSON.object(data) {
                answered += 1
                #expect((try? JSONValue(parsing: data)) == .object(quick), "\(String(decoding: text, as: UTF8.self))")
            }
        }
        #expect(answered > 500, "the fast path must be exercised, not only the fallback")
    }

    /// A random object with keys from a small set (so repeats happen) and values of every kind.
    static func document(_ generator: inout SeededGenerator, depth: Int) -> String {
        let count = Int(generator.next() % 4)
        let members = (0..<count).map { _ in "\"k\(generator.next() % 5)\":" + value(&generator, depth: depth + 1) }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func value(_ generator: inout SeededGenerator, depth: Int) -> String {
        switch generator.next() % (depth > 3 ? 6 : 8) {
        case 0: return "\"s\(generator.next() % 100)@example.com\""
        case 1: return String(Int64(bitPattern: generator.next()) >> Int64(generator.next() % 64))
        case 2: return ["true", "false", "null"][Int(generator.next() % 3)]
        case 3: return ["1.5", "-0", "1e2", "0.0", "\"a\\nb\"", "\"\\u0041\""][Int(generator.next() % 6)]
        case 4: return "\"\""
        case 5: return " 7 "
        case 6: return document(&generator, depth: depth)
        default: return "[" + (0..<Int(generator.next() % 4)).map { _ in value(&generator, depth: depth + 1) }.joined(separator: ",") + "]"
        }
    }
}

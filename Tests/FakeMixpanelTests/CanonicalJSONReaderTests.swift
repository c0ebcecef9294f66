import Foundation
import Testing
import SimCore
@testable import FakeMixpanel

/// The fast reader of stored properties gives exactly what `JSONValue(parsing:)` gives.
@Suite struct CanonicalJSONReaderTests {
    static let objects: [JSONValue] = [
        [:],
        ["a": 1, "b": -2, "c": .double(1.5), "d": .double(3), "e": .double(-0.0), "f": .double(1e20), "g": .double(1.25e-7)],
        ["max": .int(Int64.max), "min": .int(Int64.min), "big": .double(123_456_789_012_345_680)],
        ["s": "plain", "esc": "q\"b\\n\nr\rt\t\u{1}\u{1f}", "uni": "é e\u{301} 😀 \u{212A}", "\u{212A}": "kelvin", "": "empty key"],
        ["t": true, "f": false, "n": .null, "list": [1, "x", [], [:], ["k": [true, .null]]]],
        ["$email": "a@example.com", "$first_name": "Ann", "segment": "in", "nested": ["deep": ["deeper": "yes"]]],
    ]

    @Test(arguments: objects)
    func readsWhatFoundationReads(_ object: JSONValue) throws {
        let data = object.canonicalData
        let expected = try JSONValue(parsing: data).objectValue
        // The reader may leave a value to Foundation (nil), never read it differently.
        #expect(CanonicalJSONReader.object(data).map { $0 == expected } ?? true)
        #expect(ProfileRecord.properties(in: data) == expected)
        for names in [["$email", "segment"], ["esc", "uni", "absent"], ["K", "list", "e"], [""]] {
            let picked = ProfileRecord.properties(named: .init(names), in: data)
            #expect(picked == expected?.filter { names.contains($0.key) })
        }
    }

    @Test func readsTheCanonicalFormWithoutFoundation() {
        for object in Self.objects where object["min"] == nil {
            #expect(CanonicalJSONReader.object(object.canonicalData) == object.objectValue.map { $0.mapValues(Self.normalised) })
        }
    }

    /// What the canonical text of `value` reads back as: -0.0 prints as 0.0.
    static func normalised(_ value: JSONValue) -> JSONValue {
        switch value {
        case .double(let d) where d == 0: return .double(0)
        case .array(let list): return .array(list.map(normalised))
        case .object(let object): return .object(object.mapValues(normalised))
        default: return value
        }
    }

    @Test(arguments: [#"{"a":1"#, #"{"a":1,"a":2}"#, #"{"a":01x}"#, #"[1]"#, #"{"a":"\ud800"}"#, #"{"a":1} x"#])
    func leavesUnsureInputToFoundation(_ text: String) {
        #expect(CanonicalJSONReader.object(Data(text.utf8)) == nil)
    }

    @Test func readsJSONWhitespaceAndEscapesOutsideTheCanonicalForm() {
        let text = #" { "a" : [ 1 , 2.0 ] , "b\u00e9" : "\u00e9\/\b\f\ud83d\ude00" } "#
        #expect(CanonicalJSONReader.object(Data(text.utf8)) == (try? JSONValue(parsing: text))?.objectValue)
    }
}

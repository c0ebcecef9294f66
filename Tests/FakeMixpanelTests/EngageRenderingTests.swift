import Foundation
import Testing
import SimCore
@testable import FakeMixpanel

/// `/engage` pages copy stored properties byte for byte; the result must be the canonical
/// encoding of the same values, as if they had been decoded, filtered and encoded again.
@Suite(.timeLimit(.minutes(2))) struct EngageRenderingTests {
    private static let keys = ["$email", "$first_name", "$last_seen", "$user_id", "A", "plan", "zoë", "$a\"q", "$last_seem", "$last_seen0"]

    private static func expected(_ properties: [String: JSONValue], names: [String]?, lastSeen: String?) -> String {
        var kept = names.map { names in properties.filter { names.contains($0.key) } } ?? properties
        if let lastSeen { kept["$last_seen"] = .string(lastSeen) }
        return JSONValue.object(kept).canonicalText
    }

    private static func rendered(_ properties: [String: JSONValue], names: [String]?, lastSeen: String?) throws -> String {
        var out: [UInt8] = []
        try EngageQueryRoutes.writeProperties(JSONValue.object(properties).canonicalData, named: names, lastSeen: lastSeen, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func copiedPropertiesEqualTheirCanonicalEncoding() throws {
        var generator = SeededGenerator(seed: 5, stream: "engage-render")
        for _ in 0..<500 {
            var properties: [String: JSONValue] = [:]
            for key in Self.keys where Bool.random(using: &generator) {
                properties[key] = [.string("v\"é"), .int(42), .double(2.5), ["n": [1, nil]], .bool(true)].randomElement(using: &generator)!
            }
            let names: [String]? = Bool.random(using: &generator) ? nil : Self.keys.filter { _ in Bool.random(using: &generator) }
            let lastSeen: String? = Bool.random(using: &generator) ? "2026-01-05T09:00:00" : nil
            #expect(try Self.rendered(properties, names: names, lastSeen: lastSeen) == Self.expected(properties, names: names, lastSeen: lastSeen))
        }
    }

    @Test func lastSeenReplacesAStoredOneAndIsAddedToEmptyProperties() throws {
        #expect(try Self.rendered(["$last_seen": "old", "a": 1], names: nil, lastSeen: "new") == #"{"$last_seen":"new","a":1}"#)
        #expect(try Self.rendered([:], names: ["$email"], lastSeen: "t") == #"{"$last_seen":"t"}"#)
        #expect(try Self.rendered(["$email": "e"], names: ["$email"], lastSeen: nil) == #"{"$email":"e"}"#)
    }
}

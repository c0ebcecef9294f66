import Foundation
import SimCore

/// A fast parser for the plain request bodies clients send (a batch of 500 contacts is ~50 KB),
/// which answers only when its result is certainly the one `JSONValue(parsing:)` gives.
///
/// `JSONValue(parsing:)` goes through `JSONSerialization` and bridges every Foundation object
/// back; on a 500-member batch that took about a third of the fake's time. This parser reads the
/// bytes directly, but accepts only a subset whose meaning both parsers agree on, and returns
/// `nil` for anything else, so that the caller falls back to `JSONValue(parsing:)` (which then
/// gives the same value, or the documented errors):
///
/// - a top-level object, with JSON white space around tokens;
/// - strings of printable ASCII without escapes (escapes, control characters, other encodings
///   and byte-order marks are left to Foundation);
/// - integers of at most 18 digits, not `-0` (fractions and exponents are left to Foundation,
///   which keeps `1.0` a double where a byte scan would have to guess);
/// - `true`, `false`, `null`, arrays and objects nested at most 64 deep;
/// - no repeated key in an object (Foundation keeps the last, `JSONDecoder` the first: such
///   bodies are rare enough to leave to Foundation), no trailing comma.
enum QuickJSON {
    /// The body as an object, or `nil` when it is outside the subset (not necessarily invalid).
    static func object(_ data: Data) -> [String: JSONValue]? {
        data.withUnsafeBytes { raw -> [String: JSONValue]? in
            var parser = Parser(bytes: raw.bindMemory(to: UInt8.self))
            return parser.document()
        }
    }

    /// A stored JSON object column (such as a contact's merge fields), `[:]` if it is not an object.
    static func storedObject(_ text: String) -> [String: JSONValue] {
        var text = text
        let quick = text.withUTF8 { bytes -> [String: JSONValue]? in
            var parser = Parser(bytes: bytes)
            return parser.document()
        }
        return quick ?? (try? JSONValue(parsing: text))?.objectValue ?? [:]
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var depth = 0
        static let maxDepth = 64

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func document() -> [String: JSONValue]? {
            skipSpace()
            guard current == UInt8(ascii: "{"), case .object(let object)? = value() else { return nil }
            skipSpace()
            return index == bytes.count ? object : nil
        }

        private mutating func skipSpace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        private mutating func value() -> JSONValue? {
            guard let byte = current else { return nil }
            switch byte {
            case UInt8(ascii: "{"): return object()
            case UInt8(ascii: "["): return array()
            case UInt8(ascii: "\""): return string().map(JSONValue.string)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer()
            default: return nil
            }
        }

        private mutating func object() -> JSONValue? {
            depth += 1
            guard depth <= Self.maxDepth else { return nil }
            index += 1
            var object: [String: JSONValue] = [:]
            skipSpace()
            if current == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return .object(object)
            }
            while true {
                skipSpace()
                guard current == UInt8(ascii: "\""), let key = string() else { return nil }
                skipSpace()
                guard current == UInt8(ascii: ":") else { return nil }
                index += 1
                skipSpace()
                guard let value = value(), object.updateValue(value, forKey: key) == nil else { return nil }
                skipSpace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    depth -= 1
                    return .object(object)
                default: return nil
                }
            }
        }

        private mutating func array() -> JSONValue? {
            depth += 1
            guard depth <= Self.maxDepth else { return nil }
            index += 1
            var items: [JSONValue] = []
            skipSpace()
            if current == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(items)
            }
            while true {
                skipSpace()
                guard let item = value() else { return nil }
                items.append(item)
                skipSpace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    depth -= 1
                    return .array(items)
                default: return nil
                }
            }
        }

        /// A string of printable ASCII without escapes; the index is on the opening quote.
        private mutating func string() -> String? {
            index += 1
            let start = index
            while let byte = current {
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return text
                }
                guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            return nil
        }

        private mutating func literal(_ word: StaticString, _ value: JSONValue) -> JSONValue? {
            let count = word.utf8CodeUnitCount
            guard bytes.count - index >= count else { return nil }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return nil }
            index += count
            return value
        }

        /// `-?(0|[1-9][0-9]*)` with at most 18 digits and not `-0`; anything else is left to Foundation.
        private mutating func integer() -> JSONValue? {
            let negative = current == UInt8(ascii: "-")
            if negative { index += 1 }
            let start = index
            var magnitude: Int64 = 0
            while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                guard index - start < 18 else { return nil }
                magnitude = magnitude * 10 + Int64(byte - UInt8(ascii: "0"))
                index += 1
            }
            let digits = index - start
            guard digits > 0, bytes[start] != UInt8(ascii: "0") || digits == 1, !(negative && magnitude == 0) else { return nil }
            if let byte = current, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return nil }
            return .int(negative ? -magnitude : magnitude)
        }
    }
}

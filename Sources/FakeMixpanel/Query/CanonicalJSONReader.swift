import Foundation
import SimCore

/// Reads profile properties straight from the bytes SQLite stores, without Foundation.
///
/// The fake writes every profile's properties as ``JSONValue/canonicalText``, and parsing them
/// with `JSONValue(parsing:)` (`JSONSerialization` plus bridging) is the hot spot of cohort
/// evaluation and `/engage`. This reader gives the same values for that text:
///
/// - numbers without a fraction or exponent that fit in `Int64` are `.int`; every other number is
///   `.double`, read by `Double(_:)` (correctly rounded, as Foundation's parser is);
/// - strings keep their Unicode scalars; all JSON escapes are decoded.
///
/// It answers `nil` for anything it is not sure to read as Foundation would (malformed JSON,
/// duplicate keys, integers of 19 digits or more); callers then fall back to `JSONValue(parsing:)`, so
/// the observable result never depends on which parser ran.
struct CanonicalJSONReader {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Every member of the JSON object in `data`, or `nil` when `data` is not one (see the type).
    static func object(_ data: Data) -> [String: JSONValue]? {
        data.withUnsafeBytes { buffer in
            var reader = CanonicalJSONReader(buffer)
            guard reader.peek == UInt8(ascii: "{"), let object = reader.object() else { return nil }
            return reader.atEnd ? object : nil
        }
    }

    /// The members of the JSON object in `data` whose keys are in `names` (by `String` equality,
    /// as a dictionary lookup would match them); the others are skipped without being decoded.
    static func members(named names: PropertyNames, in data: Data) -> [String: JSONValue]? {
        data.withUnsafeBytes { buffer in
            var reader = CanonicalJSONReader(buffer)
            guard reader.peek == UInt8(ascii: "{"), let object = reader.members(named: names) else { return nil }
            return reader.atEnd ? object : nil
        }
    }

    /// Property names to pick out of an object, pre-encoded for byte comparison when all are ASCII.
    struct PropertyNames {
        let names: Set<String>
        /// The UTF-8 of each name, when every name is ASCII; `nil` otherwise (keys are then decoded).
        let ascii: [[UInt8]]?

        init(_ names: some Sequence<String>) {
            self.names = Set(names)
            let encoded = self.names.sorted().map { Array($0.utf8) }
            ascii = encoded.allSatisfy { $0.allSatisfy { $0 < 0x80 } } ? encoded : nil
        }
    }

    // MARK: - Grammar

    private var atEnd: Bool {
        mutating get { skipWhitespace(); return index == bytes.count }
    }

    private var peek: UInt8? {
        mutating get { skipWhitespace(); return index < bytes.count ? bytes[index] : nil }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    private mutating func value() -> JSONValue? {
        guard let byte = peek else { return nil }
        switch byte {
        case UInt8(ascii: "{"): return object().map(JSONValue.object)
        case UInt8(ascii: "["): return array().map(JSONValue.array)
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        default: return number()
        }
    }

    private mutating func object() -> [String: JSONValue]? {
        var result: [String: JSONValue] = [:]
        let complete = eachMember { reader, key in
            guard let key = reader.string(from: key), let value = reader.value() else { return false }
            return result.updateValue(value, forKey: key) == nil
        }
        return complete ? result : nil
    }

    private mutating func members(named names: PropertyNames) -> [String: JSONValue]? {
        var result: [String: JSONValue] = [:]
        let complete = eachMember { reader, key in
            guard let wanted = reader.matches(key, names) else { return false }
            guard let name = wanted else { return reader.skipValue() }
            guard let value = reader.value() else { return false }
            return result.updateValue(value, forKey: name) == nil
        }
        return complete ? result : nil
    }

    /// Walks `{ "key": value, … }`; `body` gets the raw key (between the quotes) and must consume
    /// the value. Returns `false` on malformed input or when `body` does.
    private mutating func eachMember(_ body: (inout CanonicalJSONReader, Range<Int>) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        while true {
            guard peek == UInt8(ascii: "\""), let key = rawString(), take(UInt8(ascii: ":")), body(&self, key) else { return false }
            if take(UInt8(ascii: ",")) { continue }
            return take(UInt8(ascii: "}"))
        }
    }

    /// Whether a raw key is one of `names`: `nil` on malformed input, `.some(nil)` when it is not.
    private func matches(_ key: Range<Int>, _ names: PropertyNames) -> String?? {
        if let ascii = names.ascii, !bytes[key].contains(where: { $0 >= 0x80 || $0 == UInt8(ascii: "\\") }) {
            guard let hit = ascii.first(where: { $0.elementsEqual(bytes[key]) }) else { return .some(nil) }
            return .some(String(decoding: hit, as: UTF8.self))
        }
        guard let decoded = string(from: key) else { return nil }
        return .some(names.names.contains(decoded) ? decoded : nil)
    }

    private mutating func array() -> [JSONValue]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var result: [JSONValue] = []
        if take(UInt8(ascii: "]")) { return result }
        while true {
            guard let element = value() else { return nil }
            result.append(element)
            if take(UInt8(ascii: ",")) { continue }
            return take(UInt8(ascii: "]")) ? result : nil
        }
    }

    /// Skips one value, checking only its outline (the stored text is canonical JSON).
    private mutating func skipValue() -> Bool {
        guard let byte = peek else { return false }
        switch byte {
        case UInt8(ascii: "{"): return eachMember { reader, _ in reader.skipValue() }
        case UInt8(ascii: "["):
            index += 1
            if take(UInt8(ascii: "]")) { return true }
            while true {
                guard skipValue() else { return false }
                if take(UInt8(ascii: ",")) { continue }
                return take(UInt8(ascii: "]"))
            }
        case UInt8(ascii: "\""): return rawString() != nil
        default: return value() != nil
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matched = (0..<count).allSatisfy { bytes[index + $0] == word.utf8Start[$0] }
        if matched { index += count }
        return matched
    }

    private mutating func number() -> JSONValue? {
        let start = index
        var integral = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                integral = false
            } else if !(byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) && byte != UInt8(ascii: "-") && byte != UInt8(ascii: "+") {
                break
            }
            index += 1
        }
        guard index > start else { return nil }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        // Integers of 19 digits and more are left to Foundation, which reads some of them (such as
        // Int64.min) as doubles.
        if integral { return index - start <= 18 ? Int64(text).map(JSONValue.int) : nil }
        return Double(text).map(JSONValue.double)
    }

    private mutating func string() -> String? {
        rawString().flatMap { string(from: $0) }
    }

    /// Consumes a string and returns the range of its raw bytes between the quotes.
    private mutating func rawString() -> Range<Int>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return start..<(index - 1)
            case UInt8(ascii: "\\"): index += 2
            case 0..<0x20: return nil
            default: index += 1
            }
        }
        return nil
    }

    /// Decodes the raw bytes of a string (escapes included).
    private func string(from range: Range<Int>) -> String? {
        let raw = bytes[range]
        guard raw.contains(UInt8(ascii: "\\")) else { return String(validating: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = range.lowerBound
        while i < range.upperBound {
            let byte = bytes[i]
            i += 1
            guard byte == UInt8(ascii: "\\") else { out.append(byte); continue }
            guard i < range.upperBound else { return nil }
            let escape = bytes[i]
            i += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard let scalar = unicodeEscape(at: &i, end: range.upperBound) else { return nil }
                out.append(contentsOf: String(Character(scalar)).utf8)
            default: return nil
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// Reads `XXXX` (after `\u`), and a following `\uXXXX` low surrogate when the first is high.
    private func unicodeEscape(at i: inout Int, end: Int) -> Unicode.Scalar? {
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= end else { return nil }
            return UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16)
        }
        guard let first = hex4(i) else { return nil }
        i += 4
        guard (0xD800..<0xDC00).contains(first) else { return Unicode.Scalar(first) }
        guard i + 6 <= end, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u"),
              let second = hex4(i + 2), (0xDC00..<0xE000).contains(second) else { return nil }
        i += 6
        return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
    }
}

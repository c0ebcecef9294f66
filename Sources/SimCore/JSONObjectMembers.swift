/// The top-level members of a JSON object, found without decoding their values.
///
/// For code that copies parts of stored JSON into a response (the fake Mixpanel's `/engage`
/// pages), or decodes only the few values it needs out of a large document (the engine's
/// `/engage` reader): each member's key is decoded, its value is only located (a byte range of
/// the input), so a caller can copy it or parse just that range. Skipped values are checked for
/// structure (balanced brackets, closed strings without control characters, well-formed
/// literals and numbers), not fully validated; the object itself must be the whole input,
/// surrounded by optional white space.
public enum JSONObjectMembers {
    /// Calls `body` with each member's key, the byte range of the whole member (`"key":value`)
    /// and the byte range of its value, in document order.
    public static func forEach(in bytes: UnsafeRawBufferPointer,
                               _ body: (_ key: String, _ member: Range<Int>, _ value: Range<Int>) throws -> Void) throws {
        var parser = JSONParser(bytes: bytes)
        try parser.walkTopLevel(keyed: true) { key, member, value in try body(key ?? "", member, value) }
    }
}

/// The elements of a JSON array, located without decoding them (see ``JSONObjectMembers``).
public enum JSONArrayElements {
    /// Calls `body` with the byte range of each element, in order. The array must be the whole
    /// input, surrounded by optional white space.
    public static func forEach(in bytes: UnsafeRawBufferPointer, _ body: (_ element: Range<Int>) throws -> Void) throws {
        var parser = JSONParser(bytes: bytes)
        try parser.walkTopLevel(keyed: false) { _, _, value in try body(value) }
    }
}

extension JSONParser {
    /// Walks the object (`keyed`) or array that is the whole input, calling `body` with each
    /// item's key (objects only), whole range (`"key":value` for objects) and value range.
    fileprivate mutating func walkTopLevel(keyed: Bool, _ body: (String?, Range<Int>, Range<Int>) throws -> Void) throws {
        let (open, close) = keyed ? (UInt8(ascii: "{"), UInt8(ascii: "}")) : (UInt8(ascii: "["), UInt8(ascii: "]"))
        skipWhitespace()
        guard current == open else { throw error(keyed ? "expected an object" : "expected an array") }
        index += 1
        skipWhitespace()
        if current == close {
            index += 1
        } else {
            while true {
                skipWhitespace()
                let itemStart = index
                var key: String?
                if keyed {
                    guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
                    key = try parseString()
                    skipWhitespace()
                    guard current == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
                    index += 1
                    skipWhitespace()
                }
                let valueStart = index
                try skipValue()
                try body(key, itemStart..<index, valueStart..<index)
                skipWhitespace()
                guard let next = current else { throw error("unexpected end of input") }
                index += 1
                if next == close { break }
                guard next == UInt8(ascii: ",") else { index -= 1; throw error("expected ',' or '\(Character(Unicode.Scalar(close)))'") }
            }
        }
        skipWhitespace()
        guard index == bytes.count else { throw error("unexpected data after the JSON value") }
    }

    /// Moves past one value without building it.
    private mutating func skipValue() throws {
        guard let byte = current else { throw error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            try enter()
            defer { depth -= 1 }
            index += 1
            skipWhitespace()
            if current == close { index += 1; return }
            while true {
                skipWhitespace()
                if close == UInt8(ascii: "}") {
                    guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
                    try skipString()
                    skipWhitespace()
                    guard current == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
                    index += 1
                    skipWhitespace()
                }
                try skipValue()
                skipWhitespace()
                guard let next = current else { throw error("unexpected end of input") }
                if next == close { index += 1; return }
                guard next == UInt8(ascii: ",") else { throw error("expected ',' or '\(Character(Unicode.Scalar(close)))'") }
                index += 1
            }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try parseNumber()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(byte)))'")
        }
    }

    /// Moves past a string (at its opening quote) without decoding it.
    private mutating func skipString() throws {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""): index += 1; return
            case UInt8(ascii: "\\"): index += 2
            case 0..<0x20: throw error("control character in a string")
            default: index += 1
            }
        }
        throw error("unterminated string")
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast and identical on every platform.
///
/// Each named stream is independent: adding a stream never shifts another one's values.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// An independent stream for `stream` under `seed`.
    public init(seed: UInt64, stream: String) {
        state = seed ^ StableHash.fnv1a64(stream)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A value in `0..<1`.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) / Double(UInt64(1) << 53)
    }
}

/// Content-derived identifiers: the same seed and content always give the same id, whatever
/// order concurrent requests arrive in.
public enum StableHash {
    /// FNV-1a, 64 bits.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    /// A well-mixed 64-bit value for `parts` under `seed`.
    public static func value(seed: UInt64, _ parts: String...) -> UInt64 {
        var generator = SeededGenerator(seed: seed, stream: parts.joined(separator: "\u{1F}"))
        return generator.next()
    }

    /// `length` lower-case hex characters derived from `parts` under `seed`.
    public static func hex(seed: UInt64, length: Int, _ parts: String...) -> String {
        var generator = SeededGenerator(seed: seed, stream: parts.joined(separator: "\u{1F}"))
        var text = ""
        while text.count < length {
            let word = generator.next()
            let chunk = String(word, radix: 16)
            text += String(repeating: "0", count: 16 - chunk.count) + chunk
        }
        return String(text.prefix(length))
    }

    /// A UUID-shaped string (version 4 layout) derived from `parts` under `seed`.
    public static func uuid(seed: UInt64, _ parts: String...) -> String {
        var generator = SeededGenerator(seed: seed, stream: parts.joined(separator: "\u{1F}"))
        var hex = ""
        for _ in 0..<2 {
            let chunk = String(generator.next(), radix: 16)
            hex += String(repeating: "0", count: 16 - chunk.count) + chunk
        }
        var chars = Array(hex)
        chars[12] = "4"
        chars[16] = Array("89ab")[Int(chars[16].hexDigitValue ?? 0) % 4]
        let s = String(chars)
        func part(_ from: Int, _ to: Int) -> Substring {
            s[s.index(s.startIndex, offsetBy: from)..<s.index(s.startIndex, offsetBy: to)]
        }
        return "\(part(0, 8))-\(part(8, 12))-\(part(12, 16))-\(part(16, 20))-\(part(20, 32))"
    }
}

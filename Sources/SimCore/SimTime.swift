/// A point in (virtual or real) time: milliseconds since the Unix epoch, UTC.
///
/// CohortSim never reads the system date in the engine, the fakes or the harness; every
/// timestamp is a `SimTime` obtained from an injected ``SimClock``.
public struct SimTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public init(seconds: Int64) { self.milliseconds = seconds * 1000 }

    /// Whole seconds since the epoch (rounded down).
    public var seconds: Int64 { milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000 }

    public static func < (lhs: SimTime, rhs: SimTime) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public func adding(_ duration: SimDuration) -> SimTime {
        SimTime(milliseconds: milliseconds + duration.milliseconds)
    }

    public func duration(since earlier: SimTime) -> SimDuration {
        SimDuration(milliseconds: milliseconds - earlier.milliseconds)
    }

    public var description: String { iso8601 }
}

/// A span of time in milliseconds; parsed from scenario strings such as `2h`, `90s`, `3d`.
public struct SimDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public static func seconds(_ s: Int64) -> SimDuration { SimDuration(milliseconds: s * 1000) }
    public static func minutes(_ m: Int64) -> SimDuration { .seconds(m * 60) }
    public static func hours(_ h: Int64) -> SimDuration { .minutes(h * 60) }
    public static func days(_ d: Int64) -> SimDuration { .hours(d * 24) }
    public static let zero = SimDuration(milliseconds: 0)

    public static func < (lhs: SimDuration, rhs: SimDuration) -> Bool { lhs.milliseconds < rhs.milliseconds }
    public static func + (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
        SimDuration(milliseconds: lhs.milliseconds + rhs.milliseconds)
    }
    public static func * (lhs: SimDuration, rhs: Int64) -> SimDuration {
        SimDuration(milliseconds: lhs.milliseconds * rhs)
    }

    /// Parses `500ms`, `30s`, `15m`, `2h`, `3d`, or combinations such as `1h30m`.
    /// A leading `-` makes the duration negative. Returns `nil` for anything else.
    public init?(parsing text: String) {
        var rest = Substring(text.trimmingWhitespace())
        var sign: Int64 = 1
        if rest.hasPrefix("-") { sign = -1; rest = rest.dropFirst() }
        guard !rest.isEmpty else { return nil }
        var total: Int64 = 0
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, let value = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix(while: { $0.isLetter })
            rest = rest.dropFirst(unit.count)
            let factor: Int64
            switch unit {
            case "ms": factor = 1
            case "s": factor = 1000
            case "m": factor = 60_000
            case "h": factor = 3_600_000
            case "d": factor = 86_400_000
            default: return nil
            }
            total += value * factor
        }
        self.milliseconds = sign * total
    }

    /// The shortest exact rendering, e.g. `2h`, `1h30m`, `250ms`.
    public var description: String {
        if milliseconds == 0 { return "0s" }
        var rest = abs(milliseconds)
        var text = milliseconds < 0 ? "-" : ""
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            if rest >= size { text += "\(rest / size)\(unit)"; rest %= size }
        }
        return text
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !Self.isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !Self.isSpace($0) })!
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return self }
        return String(scalars[first...last])
    }

    private static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r"
    }
}

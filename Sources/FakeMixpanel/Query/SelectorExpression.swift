import SimCore

/// The profile selector language `/engage` accepts in `where` (Mixpanel's segmentation
/// expressions), for the forms profile queries use:
///
///     properties["$email"] == "a@example.com"
///     defined(properties["$email"]) and not properties["plan"] == "free"
///     properties["visits"] >= 3 or "beta" in properties["groups"]
///
/// Supported: `properties["…"]`, string / number / `true` / `false` literals, `==`, `!=`, `>`,
/// `>=`, `<`, `<=`, `in`, `defined(…)`, `not`, `and`, `or` and parentheses. Anything else is a
/// parse error answered with 400, never a silent match.
indirect enum SelectorExpression: Equatable {
    case property(String)
    case literal(JSONValue)
    case compare(String, SelectorExpression, SelectorExpression)
    case contains(SelectorExpression, SelectorExpression)
    case defined(SelectorExpression)
    case not(SelectorExpression)
    case and(SelectorExpression, SelectorExpression)
    case or(SelectorExpression, SelectorExpression)

    /// Why an expression could not be parsed.
    struct ParseError: Error, Equatable, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    init(parsing text: String) throws {
        var parser = SelectorParser(tokens: try SelectorParser.tokenize(text))
        self = try parser.parseOr()
        guard parser.atEnd else { throw ParseError(message: "unexpected '\(parser.peekText)' in where expression") }
    }

    /// Whether a profile with `properties` matches.
    func matches(_ properties: [String: JSONValue]) -> Bool {
        truthy(value(properties))
    }

    private func value(_ p: [String: JSONValue]) -> JSONValue? {
        switch self {
        case .property(let name): return p[name]
        case .literal(let v): return v
        case .compare(let op, let l, let r): return .bool(Self.compare(op, l.value(p), r.value(p)))
        case .contains(let needle, let haystack):
            guard let n = needle.value(p), let h = haystack.value(p) else { return .bool(false) }
            if let list = h.arrayValue { return .bool(list.contains(n)) }
            if let s = h.stringValue, let ns = n.stringValue { return .bool(s.contains(ns)) }
            return .bool(false)
        case .defined(let e): return .bool(e.value(p).map { $0 != .null } ?? false)
        case .not(let e): return .bool(!truthy(e.value(p)))
        case .and(let l, let r): return .bool(truthy(l.value(p)) && truthy(r.value(p)))
        case .or(let l, let r): return .bool(truthy(l.value(p)) || truthy(r.value(p)))
        }
    }

    private func truthy(_ v: JSONValue?) -> Bool {
        switch v {
        case nil, .null?: return false
        case .bool(let b)?: return b
        case .string(let s)?: return !s.isEmpty
        case .int(let i)?: return i != 0
        case .double(let d)?: return d != 0
        case .array(let a)?: return !a.isEmpty
        case .object(let o)?: return !o.isEmpty
        }
    }

    private static func compare(_ op: String, _ l: JSONValue?, _ r: JSONValue?) -> Bool {
        if let a = l?.doubleValue, let b = r?.doubleValue {
            switch op {
            case "==": return a == b
            case "!=": return a != b
            case ">": return a > b
            case ">=": return a >= b
            case "<": return a < b
            default: return a <= b
            }
        }
        if let a = l?.stringValue, let b = r?.stringValue, op != "==" && op != "!=" {
            switch op {
            case ">": return a > b
            case ">=": return a >= b
            case "<": return a < b
            default: return a <= b
            }
        }
        let equal = (l ?? .null) == (r ?? .null)
        return op == "==" ? equal : op == "!=" ? !equal : false
    }
}

/// Tokens and recursive descent for ``SelectorExpression``.
struct SelectorParser {
    enum Token: Equatable {
        case word(String), string(String), number(Double), symbol(String)
    }

    var tokens: [Token]
    var index = 0

    var atEnd: Bool { index >= tokens.count }
    var peekText: String {
        guard index < tokens.count else { return "end" }
        switch tokens[index] {
        case .word(let w), .symbol(let w): return w
        case .string(let s): return "\"\(s)\""
        case .number(let n): return "\(n)"
        }
    }

    static func tokenize(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "\"" || c == "'" {
                var s = ""
                i += 1
                while i < chars.count, chars[i] != c {
                    if chars[i] == "\\", i + 1 < chars.count { i += 1 }
                    s.append(chars[i]); i += 1
                }
                guard i < chars.count else { throw SelectorExpression.ParseError(message: "unterminated string in where expression") }
                i += 1
                tokens.append(.string(s))
            } else if c.isNumber || (c == "-" && i + 1 < chars.count && chars[i + 1].isNumber) {
                var s = String(c); i += 1
                while i < chars.count, chars[i].isNumber || chars[i] == "." { s.append(chars[i]); i += 1 }
                guard let n = Double(s) else { throw SelectorExpression.ParseError(message: "bad number '\(s)' in where expression") }
                tokens.append(.number(n))
            } else if c.isLetter || c == "_" || c == "$" {
                var s = ""
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == "$" { s.append(chars[i]); i += 1 }
                tokens.append(.word(s))
            } else {
                let two = i + 1 < chars.count ? String([c, chars[i + 1]]) : ""
                if ["==", "!=", ">=", "<="].contains(two) { tokens.append(.symbol(two)); i += 2; continue }
                guard "()[]<>".contains(c) else { throw SelectorExpression.ParseError(message: "unexpected '\(c)' in where expression") }
                tokens.append(.symbol(String(c))); i += 1
            }
        }
        return tokens
    }

    mutating func parseOr() throws -> SelectorExpression {
        var left = try parseAnd()
        while take(.word("or")) { left = .or(left, try parseAnd()) }
        return left
    }

    mutating func parseAnd() throws -> SelectorExpression {
        var left = try parseNot()
        while take(.word("and")) { left = .and(left, try parseNot()) }
        return left
    }

    mutating func parseNot() throws -> SelectorExpression {
        if take(.word("not")) { return .not(try parseNot()) }
        return try parseComparison()
    }

    mutating func parseComparison() throws -> SelectorExpression {
        let left = try parsePrimary()
        for op in ["==", "!=", ">=", "<=", ">", "<"] where take(.symbol(op)) { return .compare(op, left, try parsePrimary()) }
        if take(.word("in")) { return .contains(left, try parsePrimary()) }
        return left
    }

    mutating func parsePrimary() throws -> SelectorExpression {
        guard index < tokens.count else { throw SelectorExpression.ParseError(message: "where expression ends too early") }
        let token = tokens[index]
        index += 1
        switch token {
        case .string(let s): return .literal(.string(s))
        case .number(let n): return .literal(n.rounded() == n && abs(n) < 9e15 ? .int(Int64(n)) : .double(n))
        case .word("true"): return .literal(.bool(true))
        case .word("false"): return .literal(.bool(false))
        case .word("properties"), .word("user"):
            guard take(.symbol("[")), index < tokens.count, case .string(let name) = tokens[index] else {
                throw SelectorExpression.ParseError(message: "expected properties[\"name\"] in where expression")
            }
            index += 1
            guard take(.symbol("]")) else { throw SelectorExpression.ParseError(message: "expected ']' in where expression") }
            return .property(name)
        case .word("defined"):
            guard take(.symbol("(")) else { throw SelectorExpression.ParseError(message: "expected '(' after defined") }
            let inner = try parseOr()
            guard take(.symbol(")")) else { throw SelectorExpression.ParseError(message: "expected ')' after defined(…") }
            return .defined(inner)
        case .symbol("("):
            let inner = try parseOr()
            guard take(.symbol(")")) else { throw SelectorExpression.ParseError(message: "expected ')' in where expression") }
            return inner
        default:
            index -= 1
            throw SelectorExpression.ParseError(message: "unexpected '\(peekText)' in where expression")
        }
    }

    private mutating func take(_ token: Token) -> Bool {
        guard index < tokens.count, tokens[index] == token else { return false }
        index += 1
        return true
    }
}

import SimCore
import Yams

/// A YAML node with its file, so every type error can name file, line and column.
struct YAMLNode {
    let node: Node
    let file: String
    /// Dotted path from the document root, e.g. `steps[2].export.cohort`.
    let path: String

    var line: Int { node.mark?.line ?? 1 }
    var column: Int { node.mark?.column ?? 1 }

    func error(_ message: String) -> ScenarioError {
        ScenarioError(file: file, line: line, column: column, message: message)
    }

    private var kind: String {
        switch node {
        case .scalar: "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    func mapping(allowed: [String]) throws -> YAMLMapping {
        guard case .mapping(let mapping) = node else { throw error("\(path) must be a mapping, found \(kind)") }
        return try YAMLMapping(mapping, file: file, path: path, allowed: allowed)
    }

    func sequence() throws -> [YAMLNode] {
        guard case .sequence(let sequence) = node else { throw error("\(path) must be a list, found \(kind)") }
        return sequence.enumerated().map { YAMLNode(node: $1, file: file, path: "\(path)[\($0)]") }
    }

    func string() throws -> String {
        guard case .scalar(let scalar) = node else { throw error("\(path) must be a string, found \(kind)") }
        return scalar.string
    }

    func int() throws -> Int64 {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Int64(scalar.string) else {
            throw error("\(path) must be an integer, found \(describe())")
        }
        return value
    }

    func bool() throws -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { throw error("\(path) must be true or false, found \(describe())") }
        switch scalar.string.lowercased() {
        case "true": return true
        case "false": return false
        default: throw error("\(path) must be true or false, found \(describe())")
        }
    }

    /// One of `choices`, named in the error otherwise.
    func choice(_ choices: [String]) throws -> String {
        let value = try string()
        guard choices.contains(value) else {
            throw error("\(path) must be one of \(choices.joined(separator: ", ")), found '\(value)'")
        }
        return value
    }

    func duration() throws -> SimDuration {
        guard let value = SimDuration(parsing: try string()) else {
            throw error("\(path) must be a duration such as 30s, 15m, 2h or 3d, found \(describe())")
        }
        return value
    }

    /// An ISO 8601 time, or a duration relative to `origin` (e.g. `-2d`).
    func time(relativeTo origin: SimTime) throws -> SimTime {
        let text = try string()
        if let absolute = SimTime(iso8601: text) { return absolute }
        if let offset = SimDuration(parsing: text) { return origin.adding(offset) }
        throw error("\(path) must be an ISO 8601 time (2026-03-02T09:00:00Z) or an offset from the start (-2d), found '\(text)'")
    }

    /// Any YAML value as JSON: plain scalars are typed (int, float, bool, null), quoted ones are strings.
    func json() throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            let text = scalar.string
            if text == "null" || text == "~" || text.isEmpty { return .null }
            if text == "true" { return .bool(true) }
            if text == "false" { return .bool(false) }
            if let i = Int64(text) { return .int(i) }
            if let d = Double(text), text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return .double(d) }
            return .string(text)
        case .sequence:
            return .array(try sequence().map { try $0.json() })
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                let name = try YAMLNode(node: key, file: file, path: path).string()
                object[name] = try YAMLNode(node: value, file: file, path: "\(path).\(name)").json()
            }
            return .object(object)
        case .alias:
            throw error("\(path): YAML aliases are not supported in scenarios")
        }
    }

    private func describe() -> String {
        if case .scalar(let scalar) = node { return "'\(scalar.string)'" }
        return kind
    }
}

/// A YAML mapping whose keys were checked against the keys the format allows.
struct YAMLMapping {
    private var values: [String: YAMLNode] = [:]
    let keys: [String]
    let owner: YAMLNode

    init(_ mapping: Node.Mapping, file: String, path: String, allowed: [String]) throws {
        owner = YAMLNode(node: .mapping(mapping), file: file, path: path)
        var keys: [String] = []
        for (key, value) in mapping {
            let keyNode = YAMLNode(node: key, file: file, path: path)
            let name = try keyNode.string()
            guard allowed.contains(name) else {
                let hint = Self.closest(to: name, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                throw keyNode.error("unknown key '\(name)' in \(path.isEmpty ? "the scenario" : path)\(hint); allowed: \(allowed.joined(separator: ", "))")
            }
            guard values[name] == nil else { throw keyNode.error("duplicate key '\(name)' in \(path)") }
            values[name] = YAMLNode(node: value, file: file, path: path.isEmpty ? name : "\(path).\(name)")
            keys.append(name)
        }
        self.keys = keys
    }

    subscript(key: String) -> YAMLNode? { values[key] }

    func required(_ key: String) throws -> YAMLNode {
        guard let value = values[key] else {
            throw owner.error("\(owner.path.isEmpty ? "the scenario" : owner.path) is missing required key '\(key)'")
        }
        return value
    }

    /// The allowed key nearest to a typo, by edit distance.
    private static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word, $0)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, word.count / 3) else { return nil }
        return best
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

import SimCore
import SimHTTP

/// Mailchimp's `fields` / `exclude_fields` query parameters: comma-separated dotted paths
/// (`fields=members.email_address,total_items`) that trim a response. They are mutually exclusive.
struct FieldSelection: Sendable, Equatable {
    let include: [[Substring]]
    let exclude: [[Substring]]

    init?(_ request: HTTPRequest) {
        func paths(_ name: String) -> [[Substring]] {
            (request.queryValue(name) ?? "").split(separator: ",").map { $0.split(separator: ".") }.filter { !$0.isEmpty }
        }
        include = paths("fields")
        exclude = paths("exclude_fields")
        if include.isEmpty && exclude.isEmpty { return nil }
    }

    var isConflicting: Bool { !include.isEmpty && !exclude.isEmpty }

    func apply(to value: JSONValue) -> JSONValue {
        var result = value
        if !include.isEmpty { result = PathTree(include).keep(result) }
        if !exclude.isEmpty { result = PathTree(exclude).drop(result) }
        return result
    }

    /// How much of each member a list-valued key needs (handlers skip rendering what is cut).
    func memberDetail(for key: String) -> MemberDetail {
        if exclude.contains(where: { $0 == [Substring(key)] }) { return .none }
        guard !include.isEmpty else { return .full }
        let wanted = include.filter { $0.first == Substring(key) }
        if wanted.isEmpty { return .none }
        if wanted.contains(where: { $0.count == 1 }) { return .full }
        return wanted.allSatisfy { MemberDetail.minimalKeys.contains(String($0[1])) } ? .minimal : .full
    }
}

/// Dotted paths merged into a tree by their first components, so that trimming an object looks up
/// only the keys the paths name (a response trims hundreds of members with the same paths).
private struct PathTree {
    /// The paths continuing under each key.
    var children: [String: PathTree] = [:]
    /// A path ends here: the whole value is named.
    var isWhole = false

    init(_ paths: [[Substring]]) {
        for path in paths { insert(path[...]) }
    }

    private init() {}

    private mutating func insert(_ path: ArraySlice<Substring>) {
        guard let first = path.first else {
            isWhole = true
            return
        }
        children[String(first), default: PathTree()].insert(path.dropFirst())
    }

    /// Only the named values; a key named by a whole path keeps its whole value.
    func keep(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map(keep))
        case .object(let object):
            var kept: [String: JSONValue] = [:]
            for (key, tree) in children {
                guard let child = object[key] else { continue }
                kept[key] = tree.isWhole ? child : tree.keep(child)
            }
            return .object(kept)
        default: return value
        }
    }

    /// Everything but the named values.
    func drop(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map(drop))
        case .object(let object):
            var kept: [String: JSONValue] = [:]
            for (key, child) in object {
                guard let tree = children[key] else {
                    kept[key] = child
                    continue
                }
                if !tree.isWhole { kept[key] = tree.drop(child) }
            }
            return .object(kept)
        default: return value
        }
    }
}

/// How much of a member object a response carries.
enum MemberDetail: Sendable, Equatable {
    case none, minimal, full

    /// Fields a minimal member has: enough for `fields=…email_address` style requests.
    static let minimalKeys: Set<String> = ["id", "email_address", "status", "list_id"]
}

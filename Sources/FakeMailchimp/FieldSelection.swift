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
        if !include.isEmpty { result = Self.keep(result, include) }
        if !exclude.isEmpty { result = Self.drop(result, exclude) }
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

    private static func keep(_ value: JSONValue, _ paths: [[Substring]]) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map { keep($0, paths) })
        case .object(let object):
            var kept: [String: JSONValue] = [:]
            for (key, child) in object {
                let matching = paths.filter { $0.first == Substring(key) }
                if matching.isEmpty { continue }
                if matching.contains(where: { $0.count == 1 }) { kept[key] = child; continue }
                kept[key] = keep(child, matching.map { Array($0.dropFirst()) })
            }
            return .object(kept)
        default: return value
        }
    }

    private static func drop(_ value: JSONValue, _ paths: [[Substring]]) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map { drop($0, paths) })
        case .object(let object):
            var kept: [String: JSONValue] = [:]
            for (key, child) in object {
                let matching = paths.filter { $0.first == Substring(key) }
                if matching.contains(where: { $0.count == 1 }) { continue }
                kept[key] = matching.isEmpty ? child : drop(child, matching.map { Array($0.dropFirst()) })
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

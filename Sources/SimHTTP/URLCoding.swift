import Foundation

/// Percent-encoding for paths, query strings and `application/x-www-form-urlencoded` bodies.
public enum URLCoding {
    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    /// Encodes one query or form component (space as `%20`).
    public static func encodeComponent(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// Encodes each path segment, keeping the slashes.
    public static func encodePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false)
            .map { encodeComponent(String($0)) }
            .joined(separator: "/")
    }

    /// `a=1&b=x%20y`.
    public static func encodeForm(_ items: [(name: String, value: String)]) -> String {
        items.map { encodeComponent($0.name) + "=" + encodeComponent($0.value) }.joined(separator: "&")
    }

    /// Decodes `%XX` escapes; with `plusAsSpace`, `+` too (form bodies and query strings).
    public static func decode(_ text: Substring, plusAsSpace: Bool = true) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"),
               let hi = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex), hi < utf8.endIndex,
               let lo = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), lo < utf8.endIndex,
               let value = UInt8(String(decoding: [utf8[hi], utf8[lo]], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index = utf8.index(index, offsetBy: 3)
                continue
            }
            bytes.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index = utf8.index(after: index)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `a=1&b=2` into ordered items.
    public static func decodeForm(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let eq = pair.firstIndex(of: "=") {
                return (decode(pair[..<eq]), decode(pair[pair.index(after: eq)...]))
            }
            return (decode(pair), "")
        }
    }

    /// Splits an absolute URL into origin, decoded path and decoded query items.
    public static func split(_ url: String) -> (origin: String, path: String, query: [(name: String, value: String)]) {
        var rest = Substring(url)
        var origin = ""
        if let schemeEnd = rest.range(of: "://") {
            let afterScheme = rest[schemeEnd.upperBound...]
            let hostEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
            origin = String(rest[..<hostEnd])
            rest = rest[hostEnd...]
        }
        var query: [(name: String, value: String)] = []
        if let q = rest.firstIndex(of: "?") {
            query = decodeForm(String(rest[rest.index(after: q)...]))
            rest = rest[..<q]
        }
        let path = rest.isEmpty ? "/" : decode(rest, plusAsSpace: false)
        return (origin, path, query)
    }
}

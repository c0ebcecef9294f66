import Foundation
import SimCore

/// Header fields with case-insensitive lookup, kept in the order they were added.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}
    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { add(name, value) }
    }

    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        let lower = name.lowercased()
        fields.removeAll { $0.name.lowercased() == lower }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.map { [$0.name.lowercased(), $0.value] } == rhs.fields.map { [$0.name.lowercased(), $0.value] }
    }

    public func hash(into hasher: inout Hasher) {
        for field in fields { hasher.combine(field.name.lowercased()); hasher.combine(field.value) }
    }
}

/// An HTTP request as a value: the same type crosses the in-process transport and the loopback server.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    /// Scheme, host and port, e.g. `https://us6.api.mailchimp.com`; empty for a server-side request.
    public var origin: String
    /// The path without the query, percent-decoded, e.g. `/3.0/lists/abc/members`.
    public var path: String
    /// Query items in order, percent-decoded.
    public var query: [(name: String, value: String)]
    public var headers: HTTPHeaders
    public var body: Data

    public init(method: String, origin: String = "", path: String, query: [(name: String, value: String)] = [],
                headers: HTTPHeaders = [:], body: Data = Data()) {
        self.method = method.uppercased()
        self.origin = origin
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Builds a request from an absolute URL such as `https://host/3.0/ping?count=10`.
    public init(method: String, url: String, headers: HTTPHeaders = [:], body: Data = Data()) {
        let (origin, path, query) = URLCoding.split(url)
        self.init(method: method, origin: origin, path: path, query: query, headers: headers, body: body)
    }

    /// The host part of ``origin`` without port, lower-cased.
    public var host: String {
        var rest = Substring(origin)
        if let range = rest.range(of: "://") { rest = rest[range.upperBound...] }
        if let colon = rest.lastIndex(of: ":"), !rest.contains("]") { rest = rest[..<colon] }
        if let host = headers["Host"], origin.isEmpty {
            return String(host.split(separator: ":").first ?? "").lowercased()
        }
        return rest.lowercased()
    }

    /// The first value of a query item.
    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }

    /// The path and query as sent on the wire.
    public var target: String {
        let encodedPath = URLCoding.encodePath(path)
        guard !query.isEmpty else { return encodedPath }
        return encodedPath + "?" + URLCoding.encodeForm(query)
    }

    public var url: String { origin + target }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.origin == rhs.origin && lhs.path == rhs.path
            && lhs.query.map { [$0.name, $0.value] } == rhs.query.map { [$0.name, $0.value] }
            && lhs.headers == rhs.headers && lhs.body == rhs.body
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method); hasher.combine(origin); hasher.combine(path); hasher.combine(body)
    }
}

/// An HTTP response as a value.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data

    /// The JSON value the body was encoded from, when a handler built it with ``json(_:status:contentType:)``;
    /// lets a server post-process it (e.g. Mailchimp's `fields`) without parsing the body again.
    public var jsonValue: JSONValue?

    public init(status: Int, headers: HTTPHeaders = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response with the canonical encoding of `value`.
    public static func json(_ value: JSONValue, status: Int = 200,
                            contentType: String = "application/json; charset=utf-8") -> HTTPResponse {
        var response = HTTPResponse(status: status, headers: ["Content-Type": contentType], body: value.canonicalData)
        response.jsonValue = value
        return response
    }

    /// A `text/plain` response.
    public static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Data(text.utf8))
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON, or `nil` if it is not JSON.
    public var json: JSONValue? { try? JSONValue(parsing: body) }
}

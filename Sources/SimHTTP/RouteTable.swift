/// An immutable table of `METHOD /path/{param}` routes, built once and then only matched.
public struct RouteTable<Context: Sendable>: Sendable {
    public typealias Handler = @Sendable (Context, HTTPRequest, RouteParameters) async throws -> HTTPResponse

    private struct Entry: Sendable {
        let method: String
        let segments: [Substring]
        let handler: Handler
    }

    /// The outcome of matching a request.
    public enum Match: Sendable {
        case found(Handler, RouteParameters)
        /// The path exists, but not for this method.
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private var entries: [Entry] = []

    public init() {}

    /// Adds a route; `{name}` in `pattern` matches one path segment.
    public mutating func on(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        entries.append(Entry(method: method, segments: Self.segments(pattern), handler: handler))
    }

    public func match(method: String, path: String) -> Match {
        let parts = Self.segments(path)
        var allowed: [String] = []
        for entry in entries {
            guard let parameters = Self.bind(entry.segments, to: parts) else { continue }
            if entry.method == method { return .found(entry.handler, parameters) }
            allowed.append(entry.method)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    /// Every method some route takes on `path`, in registration order (the `Allow` of a 405).
    public func allowedMethods(path: String) -> [String] {
        let parts = Self.segments(path)
        return entries.filter { Self.bind($0.segments, to: parts) != nil }.map(\.method)
    }

    private static func segments(_ path: some StringProtocol) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { Substring($0) }
    }

    private static func bind(_ pattern: [Substring], to parts: [Substring]) -> RouteParameters? {
        guard pattern.count == parts.count else { return nil }
        var values: [String: String] = [:]
        for (p, actual) in zip(pattern, parts) {
            if p.hasPrefix("{") && p.hasSuffix("}") {
                values[String(p.dropFirst().dropLast())] = String(actual)
            } else if p != actual {
                return nil
            }
        }
        return RouteParameters(values: values)
    }
}

/// Path parameters bound by a route, e.g. `list` in `/3.0/lists/{list}`.
public struct RouteParameters: Sendable {
    public let values: [String: String]

    public subscript(name: String) -> String { values[name] ?? "" }
}

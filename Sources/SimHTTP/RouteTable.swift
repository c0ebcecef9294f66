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

    /// For a request no route serves: the route closest to it, e.g. `GET /3.0/lists/{list}`
    /// (most segments in common, then the nearest length, then the same method); `nil` when a
    /// route serves `path` by `method` or the table is empty.
    public func nearest(method: String, path: String) -> String? {
        if case .found = match(method: method, path: path) { return nil }
        let parts = Self.segments(path)
        func score(_ entry: Entry) -> (Int, Int, Int, Int) {
            var common = 0
            for (p, actual) in zip(entry.segments, parts) {
                guard p == actual || (p.hasPrefix("{") && p.hasSuffix("}")) else { break }
                common += 1
            }
            // How close the first segment that differs is spelled (`listz` is nearer `lists` than `ping`).
            let spelling = common < min(entry.segments.count, parts.count)
                ? -Self.editDistance(entry.segments[common], parts[common]) : 0
            return (common, -abs(entry.segments.count - parts.count), spelling, entry.method == method ? 1 : 0)
        }
        var best: Entry?
        for entry in entries where best.map({ score(entry) > score($0) }) ?? true { best = entry }
        return best.map { "\($0.method) /" + $0.segments.joined(separator: "/") }
    }

    private static func editDistance(_ a: Substring, _ b: Substring) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
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

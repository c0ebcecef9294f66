/// A problem with a scenario file, located by file, line and column.
public struct ScenarioError: Error, Equatable, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    /// The file's other errors, in file order: a scenario's errors are reported together.
    public var more: [ScenarioError] = []

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// This error and the ones after it.
    public var all: [ScenarioError] {
        var first = self
        first.more = []
        return [first] + more
    }

    /// `scenarios/x.yaml:12:5: unknown key 'cohrt' …`, the form editors and CI annotate; one line
    /// per error when the file has several.
    public var description: String { all.map { "\($0.file):\($0.line):\($0.column): \($0.message)" }.joined(separator: "\n") }
}

/// Gathers a scenario file's errors so that all of them are reported at once: each section,
/// option and step is parsed on its own, and one that fails leaves a placeholder behind.
struct ScenarioErrorCollector {
    private(set) var errors: [ScenarioError] = []

    /// `body`'s value, or `nil` after recording the ``ScenarioError`` it threw (others propagate).
    @discardableResult
    mutating func attempt<T>(_ body: () throws -> T) throws -> T? {
        do { return try body() } catch let error as ScenarioError {
            for one in error.all where !errors.contains(one) { errors.append(one) }
            return nil
        }
    }

    /// Throws every recorded error as one ``ScenarioError`` (the first, with the rest in `more`),
    /// ordered by line and column.
    func finish() throws {
        let ordered = errors.enumerated().sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }
        guard var first = ordered.first?.element else { return }
        first.more = ordered.dropFirst().map(\.element)
        throw first
    }
}

/// A scenario step that could not be carried out, with the step that failed.
public struct StepError: Error, Equatable, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var step: Int
    public var message: String

    public var description: String { "\(file):\(line): step \(step): \(message)" }
}

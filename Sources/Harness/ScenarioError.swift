/// A problem with a scenario file, located by file, line and column.
public struct ScenarioError: Error, Equatable, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `scenarios/x.yaml:12:5: unknown key 'cohrt' …`, the form editors and CI annotate.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// A scenario step that could not be carried out, with the step that failed.
public struct StepError: Error, Equatable, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var step: Int
    public var message: String

    public var description: String { "\(file):\(line): step \(step): \(message)" }
}

import Foundation
import Harness

/// Prints to the terminal: colour and progress when standard output is a terminal, plain otherwise.
struct Terminal: Sendable {
    let colour: Bool
    let interactive: Bool

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        interactive = isatty(STDOUT_FILENO) == 1
        colour = interactive && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    func green(_ s: String) -> String { colour ? "\u{1B}[32m\(s)\u{1B}[0m" : s }
    func red(_ s: String) -> String { colour ? "\u{1B}[31m\(s)\u{1B}[0m" : s }
    func yellow(_ s: String) -> String { colour ? "\u{1B}[33m\(s)\u{1B}[0m" : s }
    func bold(_ s: String) -> String { colour ? "\u{1B}[1m\(s)\u{1B}[0m" : s }

    /// A transient progress line (terminal only).
    func progress(_ done: Int, _ total: Int, _ id: String) {
        guard interactive else { return }
        FileHandle.standardOutput.write(Data("\r\u{1B}[2K[\(done)/\(total)] \(id)".utf8))
    }

    func clearProgress() {
        guard interactive else { return }
        FileHandle.standardOutput.write(Data("\r\u{1B}[2K".utf8))
    }

    /// Colours the added and removed lines of a unified diff.
    func diff(_ text: String) -> String {
        guard colour else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            if line.hasPrefix("+") && !line.hasPrefix("+++") { return green(String(line)) }
            if line.hasPrefix("-") && !line.hasPrefix("---") { return red(String(line)) }
            return String(line)
        }.joined(separator: "\n")
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

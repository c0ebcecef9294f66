import Foundation
import Report
import Testing

/// Headless Chromium from Debian's package, when it is installed.
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Loads `file` headless and returns the DOM after scripts ran, and every console line.
    static func dumpDOM(_ file: String) throws -> (dom: String, console: [String]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path ?? "/usr/bin/chromium")
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--enable-logging=stderr", "--v=0",
                             "--user-data-dir=" + NSTemporaryDirectory() + "cohortsim-chromium-\(getpid())", "--dump-dom", "file://" + file]
        // The log goes to a file, read after exit: two pipes read one after the other could block.
        let logFile = NSTemporaryDirectory() + "cohortsim-chromium-\(getpid()).log"
        guard FileManager.default.createFile(atPath: logFile, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        defer { do { try FileManager.default.removeItem(atPath: logFile) } catch {} }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        try process.run()
        let dom = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let log = try String(contentsOfFile: logFile, encoding: .utf8)
        return (String(decoding: dom, as: UTF8.self), log.split(separator: "\n").map(String.init).filter { $0.contains("CONSOLE") })
    }
}

/// The report opened in a real browser: it loads with no console message, its filter script
/// runs, and its charts have content.
@Suite(.serialized, .timeLimit(.minutes(3))) struct BrowserTests {
    @Test(.enabled(if: Chromium.path != nil, "Chromium is not installed (apt-get install -y chromium); .ci/run installs it"))
    func theReportLoadsInChromiumWithChartsAndNoConsoleMessage() async throws {
        let folder = NSTemporaryDirectory() + "cohortsim-browser-" + UUID().uuidString  // wall-clock ok: test-only temp name
        defer { do { try FileManager.default.removeItem(atPath: folder) } catch {} }
        let index = try ReportWriter(directory: folder).write(try ReportRenderer().render(try await ReportFixture.document().0))
        let (indexDOM, indexConsole) = try Chromium.dumpDOM(index)
        #expect(indexConsole.isEmpty, "\(indexConsole)")
        #expect(indexDOM.contains("data-filter=\"ready\""), "the filter script ran")
        #expect(indexDOM.contains("2 of 2 shown"))
        let (pageDOM, pageConsole) = try Chromium.dumpDOM(folder + "/pages/report-hostile.html")
        #expect(pageConsole.isEmpty, "\(pageConsole)")
        #expect(pageDOM.contains(#/<polyline points="[0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+/#), "the audience chart has a line with points")
        #expect(pageDOM.contains("class=\"run run-succeeded\"") && pageDOM.contains("class=\"mark mark-429\""))
        #expect(!pageDOM.contains("<script>alert"))
    }
}

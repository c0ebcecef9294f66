import Foundation
import Testing

/// `cohortsim run --report DIR` end to end, as a process.
@Suite(.timeLimit(.minutes(2))) struct ReportCommandTests {
    /// Runs the CLI; returns its exit status and everything it printed.
    func cohortsim(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(packageRoot)/.build/debug/cohortsim")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func runWritesAnIndexAndAPagePerScenario() throws {
        let folder = try temporaryFolder()
        defer { do { try FileManager.default.removeItem(atPath: folder) } catch {} }
        let (status, output) = try cohortsim(["run", "scenarios/export/one-time-basic.yaml", "scenarios/faults/429-storm-then-recovers.yaml",
                                              "--record", "never", "--report", folder + "/report"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("report: \(folder)/report/index.html"))
        let pages = try FileManager.default.contentsOfDirectory(atPath: folder + "/report/pages").sorted()
        #expect(pages == ["export-one-time-basic.html", "faults-429-storm-then-recovers.html"])
        let page = try String(contentsOfFile: folder + "/report/pages/faults-429-storm-then-recovers.html", encoding: .utf8)
        #expect(page.contains("class=\"mark mark-429\"") && page.contains("class=\"chart audience\""))
    }

    @Test func theReportIsTheSameBytesAtAnyParallelism() throws {
        let folder = try temporaryFolder()
        defer { do { try FileManager.default.removeItem(atPath: folder) } catch {} }
        let scenarios = ["scenarios/dynamic/join-and-leave.yaml", "scenarios/faults/429-storm-then-recovers.yaml", "scenarios/export/one-time-basic.yaml"]
        for jobs in ["1", "3"] {
            let (status, output) = try cohortsim(["run"] + scenarios + ["--record", "never", "--jobs", jobs, "--report", folder + "/jobs-" + jobs])
            #expect(status == 0, "\(output)")
        }
        for page in ["index.html", "pages/dynamic-join-and-leave.html", "pages/faults-429-storm-then-recovers.html"] {
            let one = FileManager.default.contents(atPath: folder + "/jobs-1/" + page)
            #expect(one != nil && one == FileManager.default.contents(atPath: folder + "/jobs-3/" + page), "\(page)")
        }
    }

    @Test func aReportFolderThatCannotBeWrittenIsInvalidInputBeforeAnythingRuns() throws {
        let folder = try temporaryFolder()
        defer { do { try FileManager.default.removeItem(atPath: folder) } catch {} }
        try "not a folder".write(toFile: folder + "/file", atomically: true, encoding: .utf8)
        let (status, output) = try cohortsim(["run", "scenarios/export/one-time-basic.yaml", "--record", "never", "--report", folder + "/file"])
        #expect(status == 2, "\(output)")
        #expect(output.contains("error: --report \(folder)/file: a file is in the way; give a folder"))
        #expect(!output.contains("PASS"), "nothing ran")
        let (fuzzStatus, fuzzOutput) = try cohortsim(["fuzz", "--seeds", "1", "--report", folder + "/file/inside"])
        #expect(fuzzStatus == 2 && fuzzOutput.contains("cannot be created or written"), "\(fuzzOutput)")
    }
}

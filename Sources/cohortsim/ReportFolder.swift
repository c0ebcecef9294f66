import ArgumentParser
import Report

/// The `--report DIR` of `run` and `fuzz`: a folder that exists and can be written, checked
/// before anything runs, or exit 2 with the reason.
func preparedReportWriter(_ directory: String) throws -> ReportWriter {
    let writer = ReportWriter(directory: directory)
    do { try writer.prepare() } catch { throw invalidInput("\(error)") }
    return writer
}

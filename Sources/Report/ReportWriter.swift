import Foundation

/// Writes rendered pages into a report folder: `index.html` and `pages/`, replacing the pages
/// of an earlier report there (and nothing else in the folder).
public struct ReportWriter: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// Creates the folder and proves it writable, before any scenario runs, so a bad `--report`
    /// fails at once with the reason.
    public func prepare() throws {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ReportError("--report \(directory): a file is in the way; give a folder")
        }
        do {
            try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let probe = directory + "/.cohortsim-report-probe"
            try Data().write(to: URL(fileURLWithPath: probe))
            try fileManager.removeItem(atPath: probe)
        } catch {
            throw ReportError("--report \(directory): the folder cannot be created or written (\(error.localizedDescription))")
        }
    }

    /// Writes `pages`; returns the index's path.
    @discardableResult
    public func write(_ pages: [ReportPage]) throws -> String {
        try prepare()
        let fileManager = FileManager.default
        let pagesFolder = directory + "/pages"
        do {
            if fileManager.fileExists(atPath: pagesFolder) {
                for name in try fileManager.contentsOfDirectory(atPath: pagesFolder).sorted() where name.hasSuffix(".html") {
                    try fileManager.removeItem(atPath: pagesFolder + "/" + name)
                }
            }
            for page in pages {
                let path = directory + "/" + page.path
                try fileManager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(page.html.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            }
        } catch {
            throw ReportError("--report \(directory): writing the report failed (\(error.localizedDescription))")
        }
        return directory + "/index.html"
    }
}

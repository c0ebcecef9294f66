import Foundation
import Testing
import SimCore

/// `cohortsim sync` end to end over loopback HTTP against `cohortsim serve`, as two processes.
@Suite(.serialized, .timeLimit(.minutes(2))) struct SyncAgainstServeTests {
    static let binary = "\(packageRoot)/.build/debug/cohortsim"

    /// Runs the CLI to completion; returns its exit status and standard output.
    func cohortsim(_ arguments: [String], environment: [String: String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Every command's `--help` shows at least one example, and the list below is every command
    /// the root help names (a new command fails here until it has one).
    @Test func everyCommandsHelpHasAnExample() throws {
        let commands = [[], ["run"], ["review"], ["accept"], ["reject"], ["check-determinism"], ["fuzz"], ["serve"], ["import"], ["bench"],
                        ["sync"], ["sync", "connect"], ["sync", "export"], ["sync", "status"], ["sync", "history"], ["sync", "stop"],
                        ["sync", "resume"], ["sync", "disconnect"], ["sync", "daemon"]]
        let (_, root) = try cohortsim(["--help"], environment: [:])
        let (_, sync) = try cohortsim(["sync", "--help"], environment: [:])
        func listed(_ help: String) -> [String] {
            guard let section = help.components(separatedBy: "SUBCOMMANDS:").last else { return [] }
            return section.split(separator: "\n").compactMap { line in
                line.hasPrefix("  ") && !line.hasPrefix("   ") ? line.split(separator: " ").first.map(String.init) : nil
            }.filter { $0 != "See" }
        }
        #expect(Set(listed(root)) == Set(commands.filter { $0.count == 1 }.map { $0[0] }), "\(listed(root))")
        #expect(Set(listed(sync)) == Set(commands.filter { $0.count == 2 }.map { $0[1] }), "\(listed(sync))")
        for command in commands {
            let (status, help) = try cohortsim(command + ["--help"], environment: [:])
            #expect(status == 0 && help.contains("Example:\n  cohortsim") || help.contains("Example:\n  MAILCHIMP_API_KEY") || help.contains("Example:\n  COHORTSIM_STATE"),
                    "cohortsim \(command.joined(separator: " ")) --help has no example")
        }
    }

    @Test func aConfigFileWithATypoOrABadValueIsRefusedByName() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cohortsim-config-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let typo = directory.appendingPathComponent("typo.yaml")
        try "project_id: 1\nexisting_contact: list-statuses\n".write(to: typo, atomically: true, encoding: .utf8)
        let (status, output) = try cohortsim(["sync", "status", "--config", typo.path], environment: [:])
        #expect(status == 2)
        #expect(output.contains("unknown key 'existing_contact'"))
        let bad = directory.appendingPathComponent("bad.yaml")
        try "project_id: 1\nservice_account_username: u\nservice_account_secret: s\nexisting_contacts: maybe\n"
            .write(to: bad, atomically: true, encoding: .utf8)
        let (badStatus, badOutput) = try cohortsim(["sync", "status", "--config", bad.path], environment: [:])
        #expect(badStatus == 2)
        #expect(badOutput.contains("existing_contacts must be list-statuses or update-existing (got 'maybe')"))
    }

    @Test
    func syncExportsThroughTheServedFakes() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build the cohortsim executable first (swift build)")
        let serve = Process()
        serve.executableURL = URL(fileURLWithPath: Self.binary)
        serve.arguments = ["serve", "--scenario", "\(packageRoot)/scenarios/export/one-time-basic.yaml", "--json"]
        let pipe = Pipe()
        serve.standardOutput = pipe
        try serve.run()
        defer { serve.terminate(); serve.waitUntilExit() }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line.append(chunk)
        }
        let info = try JSONValue(parsing: Data(line.prefix { $0 != UInt8(ascii: "\n") }))
        let mailchimp = try #require(info["mailchimp"]), mixpanel = try #require(info["mixpanel"])
        let audience = try #require(mailchimp["audiences"]?.arrayValue?.first?["id"]?.stringValue)
        let state = try temporaryFolder() + "/state.sqlite"
        let environment = [
            "MAILCHIMP_BASE_URL": mailchimp["base_url"]!.stringValue!, "MAILCHIMP_API_KEY": mailchimp["api_key"]!.stringValue!,
            "MIXPANEL_QUERY_URL": mixpanel["query_url"]!.stringValue!, "MIXPANEL_INGEST_URL": mixpanel["ingest_url"]!.stringValue!,
            "MIXPANEL_PROJECT_ID": String(mixpanel["project_id"]!.intValue!),
            "MIXPANEL_SERVICE_ACCOUNT_USERNAME": mixpanel["service_account"]!["username"]!.stringValue!,
            "MIXPANEL_SERVICE_ACCOUNT_SECRET": mixpanel["service_account"]!["secret"]!.stringValue!,
            "COHORTSIM_STATE": state,
        ]
        let (connected, connectOutput) = try cohortsim(["sync", "connect"], environment: environment)
        #expect(connected == 0, "\(connectOutput)")
        #expect(connectOutput.contains("Connected (us6)"))
        let (_, preview) = try cohortsim(["sync", "export", "--cohort", "501", "--audience", audience, "--dry-run"], environment: environment)
        #expect(preview.contains("would add 3, remove 0"))
        // No --cohort-name: the tag takes the cohort's name from Mixpanel's cohort list.
        let (exported, exportOutput) = try cohortsim(["sync", "export", "--cohort", "501",
                                                      "--audience", audience, "--mode", "dynamic"], environment: environment)
        #expect(exported == 0, "\(exportOutput)")
        #expect(exportOutput.contains("succeeded; cohort 3, exported 3, added 3"))
        let (_, status) = try cohortsim(["sync", "status"], environment: environment)
        #expect(status.contains("tag \"Power Users\", Active"), "\(status)")
        let (unknown, unknownOutput) = try cohortsim(["sync", "export", "--cohort", "999", "--audience", audience], environment: environment)
        #expect(unknown == 2 && unknownOutput.contains("cohort 999 is not one of the project's saved cohorts"), "\(unknownOutput)")
        // Read-only commands need only the state file, not Mixpanel credentials.
        let stateOnly = ["COHORTSIM_STATE": state]
        let (statusCode, stateOnlyStatus) = try cohortsim(["sync", "status"], environment: stateOnly)
        #expect(statusCode == 0 && stateOnlyStatus.contains("tag \"Power Users\", Active"), "\(stateOnlyStatus)")
        let (historyCode, history) = try cohortsim(["sync", "history", "--members"], environment: stateOnly)
        #expect(historyCode == 0, "\(history)")
        #expect(history.contains("add bob Bob@FreddiesJokes.com"))
        #expect(!history.contains(mailchimp["api_key"]!.stringValue!))
        let (stopped, _) = try cohortsim(["sync", "disconnect"], environment: environment)
        #expect(stopped == 0)
        let (_, after) = try cohortsim(["sync", "status"], environment: environment)
        #expect(after.contains("Stopped(account disconnected)"))
    }
}

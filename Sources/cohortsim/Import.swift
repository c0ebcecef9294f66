import ArgumentParser
import Foundation
import Harness

extension CohortSim {
    /// `cohortsim import`: a scenario file from a customer's exports.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a scenario from a Mixpanel profile export and a Mailchimp audience export.",
            discussion: """
            --profiles takes an Engage API response, a JSON array of profiles or NDJSON. --audience-csv takes a \
            Mailchimp export CSV (repeatable); when a file has no status column, give it as PATH:STATUS or let its \
            name say it (subscribed_members_export.csv). An unsubscribed export's UNSUB_REASON comes in as \
            the member's unsubscribe_reason (\"N/A (Unsubscribed by admin)\" as unsubscribed_by: admin; the free text \
            of UNSUB_REASON_OTHER pseudonymised). Every personal value is pseudonymised consistently: emails \
            (unless --keep-emails), distinct ids that are addresses or phone numbers, and every string property \
            value not named with --keep (e.g. --keep plan --keep country, for properties a cohort compares).

            Example:
              cohortsim import --profiles engage.json --audience-csv subscribed_members_export.csv --keep plan -o scenarios/tickets/4711.yaml
            """)

        @Option(help: "Mixpanel profile export (Engage JSON).") var profiles: String
        @Option(help: "Mailchimp audience export CSV, optionally PATH:STATUS.") var audienceCsv: [String] = []
        @Option(help: "Cohort definition as YAML in the scenario format (default: the imported profiles' ids).") var cohortDefinition: String?
        @Option(help: "The engine's run history (text from `cohortsim sync history`), kept as comments.") var history: String?
        @Option(help: "Mixpanel raw event export (one JSON event per line, as /api/2.0/export gives it).") var events: String?
        @Option(help: "The project's ID merge mode, original or simplified (no export says which).") var idMerge: String?
        @Option(help: "Audience name in the scenario.") var audienceName = "Imported Audience"
        @Option(help: "Scenario name.") var name = "Imported customer report"
        @Option(name: .shortAndLong, help: "Write the scenario here (default: standard output).") var output: String?
        @Flag(help: "Keep real email addresses (default: pseudonymise).") var keepEmails = false
        @Option(help: ArgumentHelp("A property whose values are kept verbatim (repeatable); all others are pseudonymised.", valueName: "property"))
        var keep: [String] = []

        mutating func run() async throws {
            func read(_ path: String) throws -> Data {
                guard let data = FileManager.default.contents(atPath: path) else { throw invalidInput("cannot read \(path)") }
                return data
            }
            let files = try audienceCsv.map { spec -> (file: ScenarioImporter.AudienceFile, contents: String) in
                var path = spec
                var status: String?
                if let colon = spec.lastIndex(of: ":"), !FileManager.default.fileExists(atPath: spec) {
                    path = String(spec[..<colon])
                    status = String(spec[spec.index(after: colon)...])
                }
                return (ScenarioImporter.AudienceFile(path: path, status: status), String(decoding: try read(path), as: UTF8.self))
            }
            let importer = ScenarioImporter(keepEmails: keepEmails, keep: Set(keep), idMerge: idMerge)
            let yaml: String
            do {
                yaml = try importer.makeScenario(
                    name: name, profilesJSON: try read(profiles), profilesFile: profiles, audienceName: audienceName,
                    audienceFiles: files, cohortDefinition: try cohortDefinition.map { String(decoding: try read($0), as: UTF8.self) },
                    history: try history.map { String(decoding: try read($0), as: UTF8.self) },
                    events: try events.map { (file: $0, contents: String(decoding: try read($0), as: UTF8.self)) })
                _ = try ScenarioParser.parse(yaml, file: output ?? "imported.yaml", id: "imported")
            } catch {
                throw invalidInput("\(error)")
            }
            if let output {
                try yaml.write(toFile: output, atomically: true, encoding: .utf8)
                print("wrote \(output); run it with: swift run cohortsim run \(output)")
            } else {
                print(yaml, terminator: "")
            }
        }
    }
}

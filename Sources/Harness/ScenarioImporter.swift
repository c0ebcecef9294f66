import Foundation
import SimCore
import SwiftCSV
import Yams

/// Turns what a customer can hand over — a Mixpanel profile export (Engage JSON), a Mailchimp
/// audience export (CSV), optionally the cohort definition and the engine's run history — into
/// a scenario file a support engineer can replay. Every personal value is pseudonymised
/// consistently across the inputs (``ImportPseudonyms``): addresses unless `keepEmails`, ids that
/// are addresses or phone numbers, and every string property not listed in `keep`.
public struct ScenarioImporter: Sendable {
    /// One Mailchimp export file; `status` is used when the CSV has no status column (Mailchimp
    /// exports one file per status: subscribed, unsubscribed, cleaned).
    public struct AudienceFile: Sendable {
        public var path: String
        public var status: String?

        public init(path: String, status: String? = nil) {
            self.path = path
            self.status = status
        }
    }

    public var keepEmails: Bool
    /// Property names whose values are kept verbatim (`--keep`).
    public var keep: Set<String>
    public var seed: UInt64
    /// The project's ID merge mode (`original` or `simplified`), which no export carries; `nil`
    /// leaves the scenario's default.
    public var idMerge: String?

    public init(keepEmails: Bool = false, keep: Set<String> = [], seed: UInt64 = 1, idMerge: String? = nil) {
        self.keepEmails = keepEmails
        self.keep = keep
        self.seed = seed
        self.idMerge = idMerge
    }

    var pseudonyms: ImportPseudonyms { ImportPseudonyms(keepEmails: keepEmails, keep: keep) }

    /// A problem with an input file.
    public struct ImportError: Error, CustomStringConvertible, Equatable {
        public var file: String
        public var message: String
        public var description: String { "\(file): \(message)" }
    }

    /// The scenario YAML.
    public func makeScenario(name: String, profilesJSON: Data, profilesFile: String, audienceName: String,
                             audienceFiles: [(file: AudienceFile, contents: String)], cohortDefinition: String?,
                             history: String?, events: (file: String, contents: String)? = nil) throws -> String {
        let profiles = try parseProfiles(profilesJSON, file: profilesFile)
        let imported = try events.map { try parseEvents($0.contents, file: $0.file) } ?? []
        var members: [ImportedMember] = []
        for (file, contents) in audienceFiles { members += try parseAudience(contents, file: file) }
        let definition = try cohortDefinition.map { try Yams.compose(yaml: $0) }?.map(pseudonyms.definition)
        var lines = [
            "name: \(quote(name))",
            "description: >",
            "  Imported from a customer report: \(profiles.count) Mixpanel profile(s) from \(profilesFile), "
                + "\(members.count) Mailchimp contact(s) from \(audienceFiles.map(\.file.path).joined(separator: ", "))."
                + " Personal values are pseudonymised" + (keepEmails ? " (emails kept)" : "")
                + (keep.isEmpty ? "." : "; kept verbatim: " + keep.sorted().joined(separator: ", ") + "."),
            "tags: [imported]",
            "seed: \(seed)",
            "mixpanel:",
        ]
        if let idMerge {
            guard ["original", "simplified"].contains(idMerge) else {
                throw ImportError(file: "--id-merge", message: "must be original or simplified, not '\(idMerge)'")
            }
            lines.append("  id_merge: \(idMerge)")
        }
        // An export with no profiles (only a Mailchimp file to look at) still parses.
        lines.append(profiles.isEmpty ? "  profiles: []" : "  profiles:")
        if let history, !history.isEmpty {
            lines.insert(contentsOf: ["# Engine run history as reported:"] + history.split(separator: "\n").map { "#   " + pseudonyms.addresses(in: String($0)) }, at: 0)
        }
        for profile in profiles {
            lines.append("    - distinct_id: \(quote(profile.id))")
            lines.append("      properties: \(flow(profile.properties))")
        }
        if !imported.isEmpty {
            lines.append("  events:")
            for event in imported {
                lines.append("    - {event: \(quote(event.name)), distinct_id: \(quote(event.distinctID)), time: \(quote(event.time.iso8601))"
                             + (event.properties.isEmpty ? "" : ", properties: \(flow(event.properties))") + "}")
            }
        }
        lines.append("  cohorts:")
        lines.append("    - id: 1")
        lines.append("      name: Imported Cohort")
        if let definition {
            lines.append("      definition:" + (try flow(node: definition)))
        } else {
            lines.append("      definition: {ids: [\(profiles.map { quote($0.id) }.joined(separator: ", "))]}")
        }
        lines += ["mailchimp:", "  audiences:", "    - name: \(quote(audienceName))", "      members:"]
        if members.isEmpty { lines[lines.count - 1] = "      members: []" }
        for member in members {
            let tags = member.tags.isEmpty ? "" : ", tags: [\(member.tags.map(quote).joined(separator: ", "))]"
            var unsubscribed = ""
            if member.status == "unsubscribed" {
                if member.byAdmin { unsubscribed += ", unsubscribed_by: admin" }
                if let reason = member.reason { unsubscribed += ", unsubscribe_reason: \(quote(reason))" }
            }
            lines.append("        - {email: \(quote(member.email)), status: \(member.status)\(unsubscribed)\(tags)}")
        }
        lines += ["steps:", "  - connect: {}", "  - export: {cohort: Imported Cohort, audience: \(quote(audienceName)), mode: dynamic}", "  - wait: 2h"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The pseudonym of an address: stable per lower-cased address; a capitalised first letter
    /// survives, so case-only duplicates stay visible.
    public func pseudonym(_ email: String) -> String { pseudonyms.email(email) }

    private func parseProfiles(_ data: Data, file: String) throws -> [(id: String, properties: [String: JSONValue])] {
        let text = String(decoding: data, as: UTF8.self)
        var items: [JSONValue] = []
        if let value = try? JSONValue(parsing: data) {
            items = value["results"]?.arrayValue ?? value.arrayValue ?? [value]
        } else {
            for (index, line) in text.split(separator: "\n").enumerated() where !String(line).trimmingWhitespace().isEmpty {
                guard let value = try? JSONValue(parsing: String(line)) else {
                    throw ImportError(file: file, message: "line \(index + 1) is not JSON (expected an Engage response, a JSON array or NDJSON)")
                }
                items.append(value)
            }
        }
        return try items.enumerated().map { index, item in
            guard let id = item["$distinct_id"]?.stringValue ?? item["$distinct_id"]?.intValue.map(String.init) else {
                throw ImportError(file: file, message: "profile \(index + 1) has no $distinct_id")
            }
            var properties = item["$properties"]?.objectValue ?? [:]
            for key in ["$last_seen", "$city", "$region", "$country_code", "$timezone", "$geo_source"] { properties.removeValue(forKey: key) }
            var safe: [String: JSONValue] = [:]
            for (key, value) in properties {
                // $email keeps its form (an address, or a non-address that stays invalid) so the
                // engine's eligibility rules see what the customer's data had.
                if key == "$email", let email = value.stringValue {
                    safe[key] = .string(email.contains("@") ? pseudonym(email) : (keep.contains(key) ? email : pseudonyms.text(email)))
                } else {
                    safe[key] = pseudonyms.value(value, property: key)
                }
            }
            return (pseudonyms.distinctID(id), safe)
        }
    }

    /// A Mixpanel raw export (`/api/2.0/export`, one JSON event per line): each event's name,
    /// `distinct_id`, `time` (seconds, or milliseconds when it is that large) and other
    /// properties, pseudonymised like the profiles'.
    private func parseEvents(_ contents: String, file: String) throws -> [(name: String, distinctID: String, time: SimTime, properties: [String: JSONValue])] {
        try contents.split(separator: "\n").enumerated().compactMap { index, line in
            guard !String(line).trimmingWhitespace().isEmpty else { return nil }
            let value: JSONValue
            do { value = try JSONValue(parsing: String(line)) } catch {
                throw ImportError(file: file, message: "line \(index + 1) is not JSON (expected a Mixpanel raw export, one event per line)")
            }
            guard let name = value["event"]?.stringValue, var properties = value["properties"]?.objectValue else {
                throw ImportError(file: file, message: "line \(index + 1) has no event name or properties")
            }
            guard let id = properties.removeValue(forKey: "distinct_id")?.stringValue else {
                throw ImportError(file: file, message: "line \(index + 1) has no distinct_id")
            }
            guard let stamp = properties.removeValue(forKey: "time")?.intValue else {
                throw ImportError(file: file, message: "line \(index + 1) has no numeric time")
            }
            let time = stamp > 100_000_000_000 ? SimTime(milliseconds: stamp) : SimTime(seconds: stamp)
            // Ingestion metadata Mixpanel adds is not the customer's data.
            for key in ["$insert_id", "mp_processing_time_ms", "$mp_api_endpoint", "$mp_api_timestamp_ms", "mp_lib", "$lib_version"] {
                properties.removeValue(forKey: key)
            }
            var safe: [String: JSONValue] = [:]
            for (key, value) in properties { safe[key] = pseudonyms.value(value, property: key) }
            return (name, pseudonyms.distinctID(id), time, safe)
        }
    }

    /// One contact of a Mailchimp export, pseudonymised.
    struct ImportedMember {
        var email: String
        var status: String
        var tags: [String]
        /// An unsubscribed contact's reason, as the scenario's `unsubscribe_reason`.
        var reason: String?
        var byAdmin: Bool
    }

    private func parseAudience(_ contents: String, file: AudienceFile) throws -> [ImportedMember] {
        let csv: CSV<Named>
        do { csv = try CSV<Named>(string: contents, delimiter: .comma) } catch {
            throw ImportError(file: file.path, message: "not a CSV file: \(error)")
        }
        let header = csv.header
        guard let emailColumn = header.first(where: { ["email address", "email"].contains($0.lowercased()) }) else {
            throw ImportError(file: file.path, message: "no \"Email Address\" column (columns: \(header.joined(separator: ", ")))")
        }
        let statusColumn = header.first { ["status", "member_status", "email marketing"].contains($0.lowercased()) }
        let tagsColumn = header.first { $0.uppercased() == "TAGS" }
        let reasonColumn = header.first { $0.uppercased() == "UNSUB_REASON" }
        let otherColumn = header.first { $0.uppercased() == "UNSUB_REASON_OTHER" }
        let fallback = file.status ?? Self.status(fromFileName: file.path)
        return try csv.rows.enumerated().compactMap { index, row in
            guard let email = row[emailColumn], !email.isEmpty else { return nil }
            var status = (statusColumn.flatMap { row[$0] } ?? fallback ?? "").lowercased()
            if status == "non-subscribed" { status = "transactional" }
            guard MailchimpStatuses.all.contains(status) else {
                throw ImportError(file: file.path, message: "row \(index + 2): unknown status '\(status)'; give the file's status as FILE:STATUS")
            }
            let tags = Self.tags(tagsColumn.flatMap { row[$0] } ?? "")
            let reason = UnsubscribeReason(category: reasonColumn.flatMap { row[$0] } ?? "", other: otherColumn.flatMap { row[$0] } ?? "")
            return ImportedMember(email: pseudonym(email), status: status, tags: tags,
                                  reason: reason.scenarioValue(pseudonyms), byAdmin: reason.byAdmin)
        }
    }

    /// Mailchimp writes TAGS as `"VIP","Webinar 2025"` inside one cell.
    static func tags(_ cell: String) -> [String] {
        cell.split(separator: ",").map { String($0).trimmingWhitespace().trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            .filter { !$0.isEmpty }
    }

    static func status(fromFileName path: String) -> String? {
        let name = (path as NSString).lastPathComponent.lowercased()
        for status in ["unsubscribed", "cleaned", "subscribed", "pending", "archived"] where name.contains(status) { return status }
        return nil
    }

    private func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private func flow(_ object: [String: JSONValue]) -> String {
        "{" + object.keys.sorted().map { "\(quote($0)): \(flow(object[$0]!))" }.joined(separator: ", ") + "}"
    }

    private func flow(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return "\(d)"
        case .string(let s): return quote(s)
        case .array(let a): return "[" + a.map(flow).joined(separator: ", ") + "]"
        case .object(let o): return flow(o)
        }
    }

    /// A cohort definition as a block under `definition:`.
    private func flow(node: Node) throws -> String {
        let yaml = try Yams.serialize(node: node).trimmingWhitespace()
        return "\n" + yaml.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n")
    }
}

/// Member statuses Mailchimp exports.
enum MailchimpStatuses {
    static let all: Set<String> = ["subscribed", "unsubscribed", "cleaned", "pending", "transactional", "archived"]
}

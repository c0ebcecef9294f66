import Foundation
import SimCore
import Yams

/// How ``ScenarioImporter`` replaces a customer's personal values, consistently across every
/// input (the same value gives the same pseudonym in profiles, cohort definition, audience CSV
/// and run history), so the imported scenario still behaves as the customer's data did.
///
/// - An email address (any string containing `@`), wherever it appears, becomes
///   `user-<hash>@freddiesjokes.com`, an address the real API accepts (a capitalised first letter survives, so case-only duplicates
///   stay visible).
/// - A `distinct_id` that is an address or contains a run of 7 or more digits (a phone number)
///   becomes a pseudonym; other ids are Mixpanel's opaque ids and are kept.
/// - `$user_id` and `$device_id` are replaced as distinct ids, so identities still line up.
/// - Every other string property value becomes `text-<hash>` unless its property is listed in
///   `keep`; numbers and booleans are kept (scores and flags, not identities).
/// - Cohort definitions get the same replacement for the values they compare with and the ids
///   they list, so they still select the same profiles.
public struct ImportPseudonyms: Sendable {
    /// Keep email addresses (the importer's `--keep-emails`).
    public var keepEmails: Bool
    /// Property names whose values are kept verbatim (`--keep`).
    public var keep: Set<String>

    public init(keepEmails: Bool = false, keep: Set<String> = []) {
        self.keepEmails = keepEmails
        self.keep = keep
    }

    /// Surrounding white space is kept, so a padded address stays padded.
    public func email(_ email: String) -> String {
        guard !keepEmails else { return email }
        let trimmed = email.trimmingWhitespace()
        let base = "user-" + StableHash.hex(seed: 0, length: 8, "email", trimmed.lowercased()) + "@freddiesjokes.com"
        let pseudonym = trimmed.first?.isUppercase == true ? "U" + base.dropFirst() : base
        guard let range = email.range(of: trimmed), !trimmed.isEmpty else { return pseudonym }
        return String(email[..<range.lowerBound]) + pseudonym + String(email[range.upperBound...])
    }

    public func distinctID(_ id: String) -> String {
        if id.contains("@") { return email(id) }
        guard Self.hasPhoneDigits(id) else { return id }
        return "id-" + StableHash.hex(seed: 0, length: 10, "distinct_id", id)
    }

    /// Properties that hold distinct ids (simplified ID merge): replaced as the ids themselves.
    static let idProperties: Set<String> = ["$user_id", "$device_id"]

    /// A property value: kept for `keep` properties, otherwise addresses and free text replaced.
    public func value(_ value: JSONValue, property: String) -> JSONValue {
        if keep.contains(property) { return value }
        if Self.idProperties.contains(property), let id = value.stringValue { return .string(distinctID(id)) }
        switch value {
        case .string(let text): return .string(self.text(text))
        case .array(let items): return .array(items.map { self.value($0, property: property) })
        case .object(let object): return .object(object.mapValues { self.value($0, property: property) })
        case .null, .bool, .int, .double: return value
        }
    }

    /// Free text a person wrote (an unsubscribe reason): always `text-<hash>`, even when it
    /// quotes an address, since the words around the address are personal too.
    func freeText(_ text: String) -> String {
        text.isEmpty ? text : "text-" + StableHash.hex(seed: 0, length: 8, "text", text)
    }

    func text(_ text: String) -> String {
        if text.contains("@") { return email(text) }
        if text.isEmpty { return text }
        return "text-" + StableHash.hex(seed: 0, length: 8, "text", text)
    }

    /// Every address in free text (a run history) replaced by its pseudonym.
    public func addresses(in text: String) -> String {
        guard !keepEmails else { return text }
        var out = ""
        for (index, token) in text.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if index > 0 { out += " " }
            if token.contains("@") {
                // Keep punctuation around the address (parentheses, commas, a trailing colon).
                let trimSet = CharacterSet(charactersIn: "()[]{}<>,;:'\"")
                let core = String(token).trimmingCharacters(in: trimSet)
                out += String(token).replacingOccurrences(of: core, with: email(core))
            } else {
                out += token
            }
        }
        return out
    }

    /// A cohort definition (scenario format) with the values it compares and the ids it lists
    /// replaced as the profiles' are.
    func definition(_ node: Node) -> Node {
        switch node {
        case .mapping(let mapping):
            var pairs: [(Node, Node)] = []
            let property = mapping["name"]?.string
            for (key, value) in mapping {
                switch key.string {
                case "ids": pairs.append((key, mapScalars(value) { self.distinctID($0) }))
                case "value": pairs.append((key, keep.contains(property ?? "") ? value : mapScalars(value) { self.text($0) }))
                default: pairs.append((key, definition(value)))
                }
            }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style))
        case .sequence(let sequence):
            return .sequence(Node.Sequence(sequence.map(definition), sequence.tag, sequence.style))
        case .scalar, .alias:
            return node
        }
    }

    /// Replaces string scalars (not numbers or booleans) in `node`.
    private func mapScalars(_ node: Node, _ transform: (String) -> String) -> Node {
        switch node {
        case .scalar(let scalar):
            guard scalar.style != .plain || (node.int == nil && node.float == nil && node.bool == nil && node.null == nil) else { return node }
            return .scalar(Node.Scalar(transform(scalar.string), scalar.tag, .doubleQuoted))
        case .sequence(let sequence):
            return .sequence(Node.Sequence(sequence.map { mapScalars($0, transform) }, sequence.tag, sequence.style))
        case .mapping, .alias:
            return node
        }
    }

    static func hasPhoneDigits(_ text: String) -> Bool {
        var run = 0
        for character in text {
            if character.isASCII && character.isNumber { run += 1; if run >= 7 { return true } } else if ![" ", "-", ".", "(", ")", "+"].contains(character) { run = 0 }
        }
        return false
    }
}

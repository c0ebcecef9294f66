import SimCore

/// Checks and normalises a member write's `merge_fields` against the audience's definitions
/// (reference §7.6). Errors are collected per field, sorted by tag.
struct MergeFieldRules {
    let definitions: MergeFieldIndex
    /// `skip_merge_validation=true`: required fields and unknown tags are not checked; types still are.
    let skipValidation: Bool
    /// A new contact: every required field must then have a value.
    let creating: Bool

    func validate(_ fields: [String: JSONValue]) throws -> [String: JSONValue] {
        var errors: [(field: String, message: String)] = []
        var result: [String: JSONValue] = [:]
        for key in fields.keys.sorted() {
            let value = fields[key]!
            guard let definition = definitions[key] else {
                // Recorded: a lower-case key no tag matches (`email_address`) is ignored and the
                // write succeeds (grouparoo fixtures/export/exportRecord.js); an unknown tag is refused.
                if Self.isLowerCase(key) { continue }
                if skipValidation { result[key] = value } else { errors.append((key, "This field does not exist")) }
                continue
            }
            if Self.isEmpty(value) {
                if definition.required && !skipValidation { errors.append((definition.tag, "Please enter a value")) }
                result[definition.tag] = ""
                continue
            }
            switch Self.normalise(value, as: definition) {
            case .success(let normalised): result[definition.tag] = normalised
            case .failure(let message): errors.append((definition.tag, message.text))
            }
        }
        if creating && !skipValidation && !definitions.required.isEmpty {
            let given = Set(fields.keys.map { $0.uppercased() })
            for definition in definitions.required where !given.contains(definition.tag.uppercased()) {
                errors.append((definition.tag, "Please enter a value"))
            }
        }
        guard errors.isEmpty else { throw MailchimpProblem.mergeFields(errors.sorted { $0.field < $1.field }) }
        return result
    }

    /// A key with no upper-case letter: never taken for a merge tag, which Mailchimp writes in capitals.
    static func isLowerCase(_ key: String) -> Bool {
        !key.contains { $0.isUppercase }
    }

    private static func isEmpty(_ value: JSONValue) -> Bool {
        value == .null || value == .string("")
    }

    struct Message: Error { let text: String }

    /// The stored form of one value, or the message Mailchimp gives for it.
    static func normalise(_ value: JSONValue, as definition: MergeFieldRecord) -> Result<JSONValue, Message> {
        switch definition.type {
        case "number":
            if value.intValue != nil || value.doubleValue != nil, value.stringValue == nil { return .success(value) }
            if let text = value.stringValue, let number = Double(text.trimmingWhitespace()) {
                return .success(number == number.rounded() && abs(number) < 1e15 ? .int(Int64(number)) : .double(number))
            }
            return .failure(Message(text: "Please enter a number"))
        case "address":
            guard let object = value.objectValue,
                  ["addr1", "city", "state", "zip"].allSatisfy({ !(object[$0]?.stringValue ?? "").isEmpty }) else {
                return .failure(Message(text: "Please enter a complete address"))
            }
            var address = object
            for key in ["addr2", "country"] where address[key] == nil { address[key] = key == "country" ? "US" : "" }
            return .success(.object(address))
        case "radio", "dropdown":
            let choices = definition.options["choices"]?.arrayValue?.compactMap(\.stringValue) ?? []
            guard let text = value.stringValue, choices.contains(text) else {
                return .failure(Message(text: "Please choose one of the listed options"))
            }
            return .success(value)
        case "date", "birthday", "zip":
            guard let text = value.stringValue, Self.matches(text, definition.type) else {
                return .failure(Message(text: definition.type == "zip" ? "Please enter a valid zip code" : "Please enter a valid date"))
            }
            return .success(value)
        default:
            let text = value.stringValue ?? value.canonicalText
            return .success(.string(truncated(text, bytes: 255)))
        }
    }

    /// Digit-pattern shapes: `9` is a digit, anything else literal.
    private static func matches(_ text: String, _ type: String) -> Bool {
        let shapes: [String] = switch type {
        case "date": ["9999-99-99", "9999/99/99", "99-99-9999", "99/99/9999"]
        case "birthday": ["99/99"]
        default: ["99999"]
        }
        return shapes.contains { shape in
            shape.count == text.count && zip(shape, text).allSatisfy { $0 == "9" ? $1.isASCII && $1.isNumber : $0 == $1 }
        }
    }

    private static func truncated(_ text: String, bytes: Int) -> String {
        guard text.utf8.count > bytes else { return text }
        var result = ""
        for character in text {
            if result.utf8.count + String(character).utf8.count > bytes { break }
            result.append(character)
        }
        return result
    }
}

/// An audience's merge-field definitions, looked up by tag case-insensitively; built once per
/// request, so a 500-contact batch does not compare every key with every definition.
struct MergeFieldIndex {
    /// Definitions in merge-id order.
    let all: [MergeFieldRecord]
    /// Required definitions in merge-id order.
    let required: [MergeFieldRecord]
    private let byTag: [String: MergeFieldRecord]

    init(_ definitions: [MergeFieldRecord]) {
        all = definitions
        required = definitions.filter(\.required)
        var byTag: [String: MergeFieldRecord] = [:]
        // The first definition in merge-id order wins, as a linear search would find it.
        for definition in definitions where byTag[definition.tag.uppercased()] == nil {
            byTag[definition.tag.uppercased()] = definition
        }
        self.byTag = byTag
    }

    /// The definition whose tag equals `key` ignoring case.
    subscript(key: String) -> MergeFieldRecord? { byTag[key.uppercased()] }
}

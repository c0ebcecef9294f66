import GRDB
import SimCore

/// One merge-field definition of an audience (`/lists/{id}/merge-fields`).
struct MergeFieldRecord: Sendable, Equatable {
    var listID: String
    var mergeID: Int64
    var tag: String
    var name: String
    var type: String
    var required: Bool
    var defaultValue: String
    var isPublic: Bool
    var displayOrder: Int64
    var options: [String: JSONValue]
    var helpText: String

    /// Types a merge field may have (reference §7.6).
    static let types = ["text", "number", "address", "phone", "date", "url", "imageurl", "radio", "dropdown", "birthday", "zip"]

    init(row: Row) throws {
        listID = row["list_id"]
        mergeID = row["merge_id"]
        tag = row["tag"]
        name = row["name"]
        type = row["type"]
        required = row["required"]
        defaultValue = row["default_value"]
        isPublic = row["public"]
        displayOrder = row["display_order"]
        let text: String = row["options"]
        options = try JSONValue(parsing: text).objectValue ?? [:]
        helpText = row["help_text"]
    }

    init(listID: String, tag: String, name: String, type: String, required: Bool = false, options: [String: JSONValue] = [:]) {
        self.listID = listID
        self.mergeID = 0
        self.tag = tag
        self.name = name
        self.type = type
        self.required = required
        self.defaultValue = ""
        self.isPublic = true
        self.displayOrder = 0
        self.options = options
        self.helpText = ""
    }

    /// Parses a scenario's merge-field declaration `TAG[:type][:required]`. Without a type, the
    /// standard tags get their Mailchimp types (ADDRESS address, PHONE phone, BIRTHDAY birthday)
    /// and any other tag is `text`.
    static func declared(_ text: String, list: String) -> MergeFieldRecord {
        let parts = text.split(separator: ":").map(String.init)
        let tag = parts.first ?? text
        let standard: [String: (String, String)] = [
            "FNAME": ("First Name", "text"), "LNAME": ("Last Name", "text"), "ADDRESS": ("Address", "address"),
            "PHONE": ("Phone Number", "phone"), "BIRTHDAY": ("Birthday", "birthday"),
        ]
        let type = parts.count > 1 ? parts[1] : standard[tag]?.1 ?? "text"
        return MergeFieldRecord(listID: list, tag: tag, name: standard[tag]?.0 ?? tag, type: type,
                                required: parts.dropFirst(2).contains("required"))
    }

    /// Inserts the definition with the next merge id and display order of its audience.
    func insert(_ db: Database) throws -> MergeFieldRecord {
        let next = (try Int64.fetchOne(try db.cachedStatement(sql: "SELECT MAX(merge_id) FROM merge_field WHERE list_id = ?"), arguments: [listID]) ?? 0) + 1
        try db.cachedStatement(sql: """
            INSERT INTO merge_field (list_id, merge_id, tag, name, type, required, default_value, public, display_order, options, help_text)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [listID, next, tag, name, type, required, defaultValue, isPublic, next + 1,
                             JSONValue.object(options).canonicalText, helpText])
        try db.cachedStatement(sql: "UPDATE list SET merge_fields = (SELECT group_concat(tag, ',') FROM merge_field WHERE list_id = ?) WHERE id = ?").execute(arguments: [listID, listID])
        var inserted = self
        inserted.mergeID = next
        inserted.displayOrder = next + 1
        return inserted
    }

    /// The audience's merge tags in merge-id order.
    static func tags(_ db: Database, list: String) throws -> [String] {
        try String.fetchAll(try db.cachedStatement(sql: "SELECT tag FROM merge_field WHERE list_id = ? ORDER BY merge_id"), arguments: [list])
    }

    static func all(_ db: Database, list: String) throws -> [MergeFieldRecord] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM merge_field WHERE list_id = ? ORDER BY merge_id"), arguments: [list])
            .map(MergeFieldRecord.init)
    }

    var json: JSONValue {
        ["merge_id": .int(mergeID), "tag": .string(tag), "name": .string(name), "type": .string(type),
         "required": .bool(required), "default_value": .string(defaultValue), "public": .bool(isPublic),
         "display_order": .int(displayOrder), "options": .object(options), "help_text": .string(helpText),
         "list_id": .string(listID), "_links": []]
    }
}

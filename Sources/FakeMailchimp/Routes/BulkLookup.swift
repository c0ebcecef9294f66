import GRDB
import SimCore

/// Set-based reads for the routes that touch up to 500 contacts per request (batch subscribe,
/// segment member changes): one statement per request instead of one per contact.
///
/// The hashes travel as one JSON array argument read with `json_each`, so the SQL text is fixed
/// and the prepared statement is reused; the `(list_id, hash)` primary key answers each lookup.
struct BulkLookup {
    let db: Database
    let listID: String

    /// The stored contacts among `hashes`, by hash.
    func members(_ hashes: some Collection<String>) throws -> [String: MemberRecord] {
        guard !hashes.isEmpty else { return [:] }
        let rows = try Row.fetchCursor(try db.cachedStatement(sql: """
            SELECT * FROM member WHERE list_id = ? AND hash IN (SELECT value FROM json_each(?))
            """), arguments: [listID, Self.jsonArray(hashes)])
        var members: [String: MemberRecord] = [:]
        while let row = try rows.next() {
            let member = try MemberRecord(row: row)
            members[member.hash] = member
        }
        return members
    }

    /// The permanently deleted hashes among `hashes`.
    func forgotten(_ hashes: some Collection<String>) throws -> Set<String> {
        guard !hashes.isEmpty else { return [] }
        return Set(try String.fetchAll(try db.cachedStatement(sql: """
            SELECT hash FROM forgotten WHERE list_id = ? AND hash IN (SELECT value FROM json_each(?))
            """), arguments: [listID, Self.jsonArray(hashes)]))
    }

    /// `hashes` as a JSON array of strings (their order does not matter to `IN`). Hashes and
    /// contact ids are plain ASCII and are written as they are; anything needing an escape goes
    /// through the JSON encoder.
    static func jsonArray(_ hashes: some Collection<String>) -> String {
        func isPlain(_ text: String) -> Bool {
            text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        }
        guard hashes.allSatisfy(isPlain) else { return JSONValue.array(hashes.map { .string($0) }).canonicalText }
        var text = "["
        text.reserveCapacity(hashes.count * 35 + 2)
        for (index, hash) in hashes.enumerated() {
            if index > 0 { text += "," }
            text += "\""
            text += hash
            text += "\""
        }
        return text + "]"
    }
}

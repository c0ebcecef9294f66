import GRDB
import SimCore

/// The rules every member write follows, whichever endpoint it came through.
struct MemberWrites {
    let fake: FakeMailchimp
    let db: Database
    let list: ListRecord
    let now: SimTime
    /// Who is making the change, for webhooks.
    var source: WebhookSource? = .api
    /// `now.mailchimpTimestamp`, formatted once per request.
    let timestamp: String
    /// The audience's merge-field definitions, read once per request (a batch writes up to 500 contacts).
    let mergeFieldDefinitions: MergeFieldIndex
    /// The audience's merge tags in merge-id order, for rendering members.
    let mergeTags: [String]
    /// The audience's webhooks, read on the first write of the request (none for reads).
    private let webhookTargets = WebhookTargetCache()

    init(fake: FakeMailchimp, db: Database, list: ListRecord, now: SimTime) throws {
        self.fake = fake
        self.db = db
        self.list = list
        self.now = now
        timestamp = now.mailchimpTimestamp
        mergeFieldDefinitions = MergeFieldIndex(try MergeFieldRecord.all(db, list: list.id))
        mergeTags = mergeFieldDefinitions.all.map(\.tag)
    }

    /// Statuses a request may set.
    static let writableStatuses = ["subscribed", "unsubscribed", "cleaned", "pending", "transactional"]

    /// The address checks Mailchimp makes before anything else.
    func checkAddress(_ email: String) throws {
        try checkAddress(email) { try MailchimpQueries.isForgotten(db, list: list.id, hash: subscriberHash(email)) }
    }

    /// The address checks, with the permanently-deleted check answered by `isForgotten` (bulk
    /// writes look all their addresses up at once); it is asked only for a well-formed, real address.
    func checkAddress(_ email: String, isForgotten: () throws -> Bool) throws {
        guard EmailCheck.isWellFormed(email) else { throw MailchimpProblem.invalidEmail }
        if fake.refused.refuses(email) { throw MailchimpProblem.looksFake(email) }
        if try isForgotten() { throw MailchimpProblem.forgotten(email) }
    }

    /// The schema message for a status outside the writable ones.
    static let statusMessage = "Data presented is not one of the accepted values: subscribed, unsubscribed, cleaned, pending, transactional."

    static func checkStatus(_ status: String?, field: String) throws {
        guard let status else { return }
        guard writableStatuses.contains(status) else {
            throw MailchimpProblem.schema(field, statusMessage)
        }
    }

    /// The merge fields as they will be stored, after the audience's rules (types, required
    /// fields on `creating`, unknown tags); throws "Your merge fields were invalid." otherwise.
    func mergeFields(_ fields: [String: JSONValue], skipValidation: Bool, creating: Bool) throws -> [String: JSONValue] {
        let rules = MergeFieldRules(definitions: mergeFieldDefinitions,
                                    skipValidation: skipValidation, creating: creating)
        return try rules.validate(fields)
    }

    /// Creates a new contact with `status`; the caller has checked that no contact has its address.
    /// `timestamp_signup` stays `""`: only a signup form sets it (recorded for API adds, grouparoo
    /// fixtures/export/exportRecord.js).
    func create(email: String, status: String, mergeFields: [String: JSONValue], tags: [String]) throws -> MemberRecord {
        var record = MemberRecord(listID: list.id, email: email, hash: subscriberHash(email), status: status, seed: fake.seed,
                                  timestamp: timestamp)
        record.mergeFields = mergeFields
        if status == "unsubscribed" { record.unsubscribedBy = "admin"; record.unsubscribeReason = "N/A (Unsubscribed by admin)" }
        try save(record, previous: nil)
        try addTags(tags, to: record)
        return record
    }

    /// Applies a requested status to an existing contact, enforcing compliance rules.
    func transition(_ record: inout MemberRecord, to status: String) throws {
        guard status != record.status else { return }
        if status == "subscribed" {
            let selfUnsubscribed = record.status == "unsubscribed" && record.unsubscribedBy != "admin"
            if selfUnsubscribed || record.status == "cleaned" { throw MailchimpProblem.complianceState(record.email) }
        }
        if record.status == "archived" { record.statusBeforeArchive = nil }
        record.status = status
        record.lastChanged = timestamp
        if status == "unsubscribed" {
            record.unsubscribedBy = "admin"
            record.unsubscribeReason = "N/A (Unsubscribed by admin)"
        } else {
            record.unsubscribedBy = nil
            record.unsubscribeReason = nil
        }
        if status == "subscribed" { record.timestampOpt = timestamp }
    }

    /// Saves a contact and records the webhook events the change causes.
    func save(_ record: MemberRecord, campaignID: String = "") throws {
        let previous = try MailchimpQueries.member(db, list: record.listID, hash: record.hash)
        try save(record, previous: previous, campaignID: campaignID)
    }

    /// Saves a contact whose stored row the caller has already read (`previous`, `nil` for a new
    /// contact) and records the webhook events the change causes.
    func save(_ record: MemberRecord, previous: MemberRecord?, campaignID: String = "") throws {
        try record.save(db)
        try Webhooks.memberChanged(from: previous, to: record, source: source, campaignID: campaignID,
                                   targets: try webhookTargets.targets(db, list: list.id), db: db, now: now)
    }

    /// Moves a stored contact to another address (and so another hash) with its status, merge
    /// fields and tags; the old hash is then unknown. Sends `upemail`. The caller has checked that
    /// no contact has the new address.
    func move(_ member: MemberRecord, to new: String) throws -> MemberRecord {
        var moved = MemberRecord(listID: member.listID, email: new, status: member.status, seed: fake.seed, now: now)
        moved.unsubscribedBy = member.unsubscribedBy
        moved.unsubscribeReason = member.unsubscribeReason
        moved.statusBeforeArchive = member.statusBeforeArchive
        moved.mergeFields = member.mergeFields
        moved.webID = member.webID
        moved.timestampSignup = member.timestampSignup
        moved.timestampOpt = member.timestampOpt
        try moved.save(db)
        try db.cachedStatement(sql: "UPDATE member_tag SET hash = ? WHERE list_id = ? AND hash = ?").execute(arguments: [moved.hash, member.listID, member.hash])
        try db.cachedStatement(sql: "DELETE FROM member WHERE list_id = ? AND hash = ?").execute(arguments: [member.listID, member.hash])
        try Webhooks.deliver(WebhookEvent(type: "upemail", source: source, listID: member.listID, data: [
            ("list_id", member.listID), ("new_id", moved.uniqueEmailID), ("new_email", new), ("old_email", member.email),
        ]), db: db, now: now)
        return moved
    }

    /// Permanently deletes a contact: it and its tags are gone and the address can never be re-imported.
    func erase(_ record: MemberRecord) throws {
        try db.cachedStatement(sql: "DELETE FROM member WHERE list_id = ? AND hash = ?").execute(arguments: [record.listID, record.hash])
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO forgotten (list_id, hash) VALUES (?, ?)").execute(arguments: [record.listID, record.hash])
        try Webhooks.memberChanged(from: record, to: nil, source: source, db: db, now: now)
    }

    /// Archives a contact (`DELETE …/members/{hash}`); archived, pending and cleaned contacts cannot be.
    func archive(_ record: MemberRecord) throws {
        guard !["archived", "pending", "cleaned"].contains(record.status) else { throw MailchimpProblem.cannotArchive }
        var archived = record
        archived.statusBeforeArchive = record.status
        archived.status = "archived"
        archived.lastChanged = timestamp
        try save(archived)
    }

    func addTags(_ names: [String], to record: MemberRecord) throws {
        for name in names where !name.isEmpty {
            let segment = try MailchimpQueries.tag(db, list: list.id, name: name)
                ?? MailchimpQueries.createTag(db, list: list.id, name: name, seed: fake.seed, now: now)
            try MailchimpQueries.addTag(db, list: list.id, segment: segment.id, hash: record.hash, now: now)
        }
    }

    /// Replaces all of a contact's tags (`sync_tags`).
    func replaceTags(_ names: [String], on record: MemberRecord) throws {
        try db.cachedStatement(sql: "DELETE FROM member_tag WHERE list_id = ? AND hash = ?").execute(arguments: [list.id, record.hash])
        try addTags(names, to: record)
    }

    /// Finds a member by hash, email address or contact id (all accepted in the hash position).
    func find(_ key: String) throws -> MemberRecord? {
        try MailchimpQueries.member(db, list: list.id, hash: Self.hash(forKey: key))
    }

    /// The stored hash a member key names: an address is hashed, a hash or contact id lower-cased.
    static func hash(forKey key: String) -> String {
        // An ASCII key is searched byte by byte; any other keeps Foundation's `contains`.
        let isAddress = key.utf8.allSatisfy { $0 < 0x80 } ? key.utf8.contains(UInt8(ascii: "@")) : key.contains("@")
        return isAddress ? subscriberHash(key) : key.lowercased()
    }
}

/// The webhooks of a request's audience, read when the request first writes a contact. A class so
/// that the value-typed `MemberWrites` can fill it lazily; it lives for one request (one transaction).
final class WebhookTargetCache {
    private var loaded: [Webhooks.Target]?

    func targets(_ db: Database, list: String) throws -> [Webhooks.Target] {
        if let loaded { return loaded }
        let targets = try Webhooks.targets(db, list: list)
        loaded = targets
        return targets
    }
}

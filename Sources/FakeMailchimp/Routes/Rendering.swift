import GRDB
import SimCore
import SimHTTP

/// JSON shapes of Mailchimp resources.
enum Rendering {
    /// A 200 JSON response with `fields` / `exclude_fields` already applied, encoded once.
    ///
    /// `FakeMailchimp.dispatch` trims any response that carries its `jsonValue`; routes that return
    /// hundreds of members trim here instead, so the untrimmed document is never encoded, and
    /// encode with `CanonicalJSON` (the same bytes as `HTTPResponse.json`). The response carries no
    /// `jsonValue`, so it is not trimmed twice.
    static func response(_ value: JSONValue, selection: FieldSelection?) -> HTTPResponse {
        let trimmed = selection.map { $0.apply(to: value) } ?? value
        return HTTPResponse(status: 200, headers: ["Content-Type": "application/json; charset=utf-8"], body: trimmed.canonicalData)
    }

    /// A member at the detail a response needs: the full object, or (when `fields` cut it down)
    /// only the identifying fields, which cost no further query.
    static func member(_ m: MemberRecord, db: Database, detail: MemberDetail, mergeTags: [String]? = nil) throws -> JSONValue {
        guard detail == .full else {
            return ["id": .string(m.hash), "email_address": .string(m.email), "status": .string(m.status), "list_id": .string(m.listID)]
        }
        return try member(m, db: db, mergeTags: mergeTags)
    }

    /// The full member object. `merge_fields` holds every merge field the audience defines, `""`
    /// when unset (recorded: grouparoo fixtures/export/exportRecord.js); `mergeTags` are the
    /// audience's tags when the caller has them, else they are read.
    static func member(_ m: MemberRecord, db: Database, mergeTags: [String]? = nil) throws -> JSONValue {
        let tags = try MailchimpQueries.tags(db, list: m.listID, hash: m.hash)
        var mergeFields = m.mergeFields
        for tag in try mergeTags ?? MergeFieldRecord.tags(db, list: m.listID) where mergeFields[tag] == nil { mergeFields[tag] = "" }
        var fields: [String: JSONValue] = [
            "id": .string(m.hash), "email_address": .string(m.email), "unique_email_id": .string(m.uniqueEmailID),
            "contact_id": .string(m.hash), "full_name": .string(fullName(m)), "web_id": .int(m.webID),
            "email_type": "html", "status": .string(m.status), "consents_to_one_to_one_messaging": true,
            "merge_fields": .object(mergeFields), "interests": .object([:]),
            "stats": ["avg_open_rate": 0, "avg_click_rate": 0],
            "ip_signup": "", "timestamp_signup": .string(m.timestampSignup), "ip_opt": "",
            "timestamp_opt": .string(m.timestampOpt), "member_rating": 2, "last_changed": .string(m.lastChanged),
            "language": "", "vip": false, "email_client": "",
            "location": ["latitude": 0, "longitude": 0, "gmtoff": 0, "dstoff": 0, "country_code": "", "timezone": "", "region": ""],
            "source": "API - Generic", "tags_count": .int(Int64(tags.count)),
            "tags": .array(tags.prefix(50).map { ["id": .int($0.segment.id), "name": .string($0.segment.name)] }),
            "list_id": .string(m.listID), "_links": [],
        ]
        if m.status == "unsubscribed" { fields["unsubscribe_reason"] = .string(m.unsubscribeReason ?? "") }
        return .object(fields)
    }

    private static func fullName(_ m: MemberRecord) -> String {
        [m.mergeFields["FNAME"]?.stringValue, m.mergeFields["LNAME"]?.stringValue]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    static func segment(_ s: SegmentRecord, db: Database) throws -> JSONValue {
        let count = try Int.fetchOne(try db.cachedStatement(sql: """
            SELECT COUNT(*) FROM member_tag t CROSS JOIN member m ON m.list_id = t.list_id AND m.hash = t.hash
            WHERE t.list_id = ? AND t.segment_id = ? AND m.status = 'subscribed'
            """), arguments: [s.listID, s.id]) ?? 0
        return ["id": .int(s.id), "name": .string(s.name), "member_count": .int(Int64(count)), "type": .string(s.type),
                "created_at": .string(s.createdAt), "updated_at": .string(s.updatedAt),
                "options": ["match": "any", "conditions": []], "list_id": .string(s.listID), "_links": []]
    }

    static func list(_ l: ListRecord, db: Database) throws -> JSONValue {
        func mergeFieldCount() throws -> Int64 {
            Int64(try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM merge_field WHERE list_id = ?"), arguments: [l.id]) ?? 0)
        }
        func count(_ status: String) throws -> Int64 {
            Int64(try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM member WHERE list_id = ? AND status = ?"), arguments: [l.id, status]) ?? 0)
        }
        let campaigns = try Row.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) AS n, MAX(send_time) AS last FROM campaign WHERE list_id = ?"), arguments: [l.id])
        var fields: JSONValue = [
            "id": .string(l.id), "web_id": .int(l.webID), "name": .string(l.name),
            "contact": ["company": "CohortSim", "address1": "1 Simulation Way", "address2": "", "city": "Atlanta",
                        "state": "GA", "zip": "30308", "country": "US", "phone": ""],
            "permission_reminder": "You signed up on our website.", "use_archive_bar": true,
            "campaign_defaults": ["from_name": "CohortSim", "from_email": "news@example.com", "subject": "", "language": "en"],
            "notify_on_subscribe": "", "notify_on_unsubscribe": "", "date_created": .string(l.dateCreated),
            "list_rating": 0, "email_type_option": false, "subscribe_url_short": "", "subscribe_url_long": "",
            "beamer_address": "", "visibility": "prv", "double_optin": false, "has_welcome": false,
            "marketing_permissions": false, "modules": [],
            "stats": ["member_count": .int(try count("subscribed")), "unsubscribe_count": .int(try count("unsubscribed")),
                      "cleaned_count": .int(try count("cleaned")), "member_count_since_send": 0,
                      "unsubscribe_count_since_send": 0, "cleaned_count_since_send": 0,
                      "campaign_count": .int(campaigns?["n"] ?? 0), "campaign_last_sent": .string(campaigns?["last"] ?? ""), "merge_field_count": .int(try mergeFieldCount()),
                      "avg_sub_rate": 0, "avg_unsub_rate": 0, "target_sub_rate": 0, "open_rate": 0, "click_rate": 0,
                      "last_sub_date": "", "last_unsub_date": ""],
            "_links": [],
        ]
        for (key, value) in l.settings { fields = fields.setting(key, value) }
        return fields
    }
}

/// Request-reading helpers shared by the routes.
enum RequestReading {
    /// The body as a JSON object, or the errors Mailchimp gives for a bad body.
    static func object(_ request: HTTPRequest) throws -> [String: JSONValue] {
        if request.body.isEmpty { return [:] }
        let value = try JSONValue(parsing: request.body)
        guard let object = value.objectValue else {
            throw MailchimpProblem.schema("", "Schema describes object, \(value.typeName) found instead")
        }
        return object
    }

    /// `count` (default 10, at most 1000) and `offset` (default 0).
    static func paging(_ request: HTTPRequest) throws -> (count: Int, offset: Int) {
        var count = 10
        var offset = 0
        if let raw = request.queryValue("count") {
            guard let value = Int(raw), value >= 0 else { throw MailchimpProblem.schema("count", "Must be a positive integer.") }
            guard value <= 1000 else { throw MailchimpProblem.countTooLarge() }
            count = value
        }
        if let raw = request.queryValue("offset") {
            guard let value = Int(raw), value >= 0 else { throw MailchimpProblem.schema("offset", "Must be a positive integer.") }
            offset = value
        }
        return (count, offset)
    }

    static func bool(_ request: HTTPRequest, _ name: String) -> Bool {
        request.queryValue(name)?.lowercased() == "true"
    }
}

import Foundation

extension JSONValue {
    /// The object with `key` set to `value`; nested objects are merged one level deep.
    func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard var object = objectValue else { return self }
        if let old = object[key]?.objectValue, let new = value.objectValue {
            object[key] = .object(old.merging(new) { _, n in n })
        } else {
            object[key] = value
        }
        return .object(object)
    }
}

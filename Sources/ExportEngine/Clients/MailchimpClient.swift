import Foundation
import SimCore
import SimHTTP

/// The Mailchimp Marketing API v3 calls the engine makes.
struct MailchimpClient: Sendable {
    let baseURL: String
    let apiKey: String
    let sender: APISender

    /// The API root for a key: `https://<dc>.api.mailchimp.com/3.0`, unless overridden.
    static func baseURL(apiKey: String, override: String?) -> String {
        if let override { return override.hasSuffix("/") ? String(override.dropLast()) : override }
        let dc = apiKey.split(separator: "-").last.map(String.init) ?? "us1"
        return "https://\(dc).api.mailchimp.com/3.0"
    }

    private func request(_ method: String, _ path: String, query: [(name: String, value: String)] = [],
                         body: JSONValue? = nil) -> HTTPRequest {
        var headers = HTTPHeaders.basic("cohortsim", apiKey)
        if body != nil { headers.add("Content-Type", "application/json") }
        var request = HTTPRequest(method: method, url: baseURL + path, headers: headers, body: body?.canonicalData ?? Data())
        request.query = query
        return request
    }

    func json(_ method: String, _ path: String, query: [(name: String, value: String)] = [],
                      body: JSONValue? = nil) async throws -> JSONValue {
        let response = try await sender.send(request(method, path, query: query, body: body))
        return response.json ?? .null
    }

    func ping() async throws {
        _ = try await json("GET", "/ping")
    }

    /// The id of the tag called `name` (case-insensitively), if the audience has one.
    func findTag(list: String, name: String) async throws -> Int64? {
        let result = try await json("GET", "/lists/\(list)/tag-search", query: [("name", name), ("count", "1000")])
        let tags = result["tags"]?.arrayValue ?? []
        return tags.first { $0["name"]?.stringValue?.lowercased() == name.lowercased() }?["id"]?.intValue
    }

    /// Creates an empty static segment, which is a tag.
    func createTag(list: String, name: String) async throws -> Int64 {
        let result = try await json("POST", "/lists/\(list)/segments", body: ["name": .string(name), "static_segment": []])
        guard let id = result["id"]?.intValue else { throw APIFailure.rejected(status: 200, title: "Unexpected response", detail: "segment without id") }
        return id
    }

    /// Every address carrying the tag, whatever its status, one page (1,000) at a time.
    func forEachTaggedPage(list: String, tag: Int64, _ body: ([String]) throws -> Void) async throws {
        var offset = 0
        while true {
            let page = try await json("GET", "/lists/\(list)/segments/\(tag)/members", query: [
                ("count", "1000"), ("offset", String(offset)), ("include_cleaned", "true"),
                ("include_unsubscribed", "true"), ("include_transactional", "true"),
                ("fields", "members.email_address,total_items"),
            ])
            let members = page["members"]?.arrayValue ?? []
            try body(members.compactMap { $0["email_address"]?.stringValue })
            offset += members.count
            if members.isEmpty || offset >= Int(page["total_items"]?.intValue ?? 0) { return }
        }
    }

    /// Outcome of one batch-subscribe call.
    struct BatchResult: Sendable {
        var created: [String] = []
        /// Lower-cased email of each contact that already existed → its status (`nil` when the
        /// reply did not say, i.e. `ERROR_CONTACT_EXISTS` without `update_existing`).
        var existing: [String: String?] = [:]
        /// Lower-cased email → (title, message).
        var failures: [String: (title: String, message: String)] = [:]
    }

    /// Makes sure each contact exists without touching existing statuses: the members carry only
    /// `status_if_new`. With `updateExisting`, existing contacts' merge fields are updated and
    /// their statuses come back in `updated_members`; without it they answer `ERROR_CONTACT_EXISTS`.
    func batchSubscribe(list: String, members: [JSONValue], updateExisting: Bool) async throws -> BatchResult {
        let body: JSONValue = ["members": .array(members), "update_existing": .bool(updateExisting)]
        // `fields` keeps the reply to what the engine reads (Mailchimp sends full member objects otherwise).
        let reply = try await json("POST", "/lists/\(list)", query: [("fields", Self.batchFields)], body: body)
        var result = BatchResult()
        result.created = (reply["new_members"]?.arrayValue ?? []).compactMap { $0["email_address"]?.stringValue?.lowercased() }
        for member in reply["updated_members"]?.arrayValue ?? [] {
            guard let email = member["email_address"]?.stringValue?.lowercased() else { continue }
            result.existing[email] = .some(member["status"]?.stringValue)
        }
        for error in reply["errors"]?.arrayValue ?? [] {
            guard let email = error["email_address"]?.stringValue?.lowercased() else { continue }
            let message = error["error"]?.stringValue ?? ""
            if error["error_code"]?.stringValue == "ERROR_CONTACT_EXISTS" {
                result.existing[email] = .some(nil)
            } else {
                result.failures[email] = (Self.title(forBatchError: message), message)
            }
        }
        return result
    }

    static let batchFields = "new_members.email_address,updated_members.email_address,updated_members.status,errors,total_created,total_updated,error_count"

    /// Batch errors carry no title; recover the single-call title from the message.
    static func title(forBatchError message: String) -> String {
        if message.contains("permanently deleted") { return "Forgotten Email Not Subscribed" }
        if message.contains("compliance state") { return "Member In Compliance State" }
        return "Invalid Resource"
    }

    /// Adds and removes tag members in one call (≤500 each).
    func updateTag(list: String, tag: Int64, add: [String], remove: [String]) async throws {
        _ = try await json("POST", "/lists/\(list)/segments/\(tag)",
                           query: [("fields", "total_added,total_removed,error_count,errors")],
                           body: ["members_to_add": .array(add.map { .string($0) }),
                                  "members_to_remove": .array(remove.map { .string($0) })])
    }
}

import Foundation
import SimCore
import SimHTTP
import Synchronization
@testable import ExportEngine

/// A scripted stand-in for Mailchimp and Mixpanel: a tiny in-memory model of one audience and one
/// project that answers the engine's requests with canned JSON shapes, and records every request.
final class ScriptedTransport: HTTPTransport {
    struct Member: Equatable {
        var email: String
        var status: String
        var mergeFields: [String: JSONValue] = [:]
    }

    struct State {
        // Mixpanel
        var role: JSONValue? = "admin"
        var cohorts: [Int64: String] = [:]
        /// `count` of a cohort in `/cohorts/list` (absent when not set).
        var listedCounts: [Int64: Int] = [:]
        /// cohort id → profiles (distinct_id, properties).
        var profiles: [Int64: [(String, [String: JSONValue])]] = [:]
        var imported: [JSONValue] = []
        // Mailchimp
        var members: [String: Member] = [:]
        var forgotten: Set<String> = []
        var mergeFields: [String] = ["FNAME", "LNAME", "ADDRESS", "PHONE"]
        var tags: [Int64: (name: String, members: Set<String>)] = [:]
        var campaigns: [JSONValue] = []
        /// campaign id → report name → items.
        var reports: [String: [String: [JSONValue]]] = [:]
        // Recording and faults
        var requests: [HTTPRequest] = []
        /// Answers that replace the model's for matching `METHOD path` prefixes, used once each.
        var overrides: [(prefix: String, response: HTTPResponse)] = []
    }

    let state = Mutex(State())

    func update(_ body: (inout State) -> Void) { state.withLock { body(&$0) } }
    var requests: [HTTPRequest] { state.withLock { $0.requests } }
    func requests(_ method: String, _ pathPrefix: String) -> [HTTPRequest] {
        requests.filter { $0.method == method && $0.path.hasPrefix(pathPrefix) }
    }
    func taggedEmails(_ tag: Int64 = 1) -> Set<String> { state.withLock { $0.tags[tag]?.members ?? [] } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        state.withLock { s in
            s.requests.append(request)
            let key = "\(request.method) \(request.path)"
            if let index = s.overrides.firstIndex(where: { key.hasPrefix($0.prefix) }) {
                return s.overrides.remove(at: index).response
            }
            return request.host.hasSuffix("mailchimp.com") ? Self.mailchimp(request, &s) : Self.mixpanel(request, &s)
        }
    }

    // MARK: Mixpanel

    private static func mixpanel(_ request: HTTPRequest, _ s: inout State) -> HTTPResponse {
        let form = Dictionary(URLCoding.decodeForm(String(decoding: request.body, as: UTF8.self)), uniquingKeysWith: { a, _ in a })
        switch request.path {
        case "/api/app/projects/42/service-accounts":
            var accounts: [JSONValue] = [["id": 7, "username": "etl", "role": "owner"]]
            if let role = s.role { accounts.append(["id": 8, "username": "svc", "role": role]) }
            return .json(["status": "ok", "results": .array(accounts)])
        case "/api/query/cohorts/list":
            return .json(.array(s.cohorts.keys.sorted().map { id in
                var item: [String: JSONValue] = ["id": .int(id), "name": .string(s.cohorts[id]!)]
                if let count = s.listedCounts[id] { item["count"] = .int(Int64(count)) }
                return .object(item)
            }))
        case "/api/query/engage":
            let cohort = (try? JSONValue(parsing: form["filter_by_cohort"] ?? ""))?["id"]?.intValue ?? 0
            let all: [JSONValue] = (s.profiles[cohort] ?? []).map { ["$distinct_id": .string($0.0), "$properties": .object($0.1)] }
            let page = Int(form["page"] ?? "0") ?? 0
            let results = Array(all.dropFirst(page * 1000).prefix(1000))
            return .json(["results": .array(results), "page": .int(Int64(page)), "page_size": 1000, "session_id": "s1",
                          "total": .int(Int64(all.count))])
        case "/import":
            let events = (try? JSONValue(parsing: request.body))?.arrayValue ?? []
            s.imported += events
            return .json(["code": 200, "num_records_imported": .int(Int64(events.count)), "status": "OK"])
        default:
            return .json(["error": "not found"], status: 404)
        }
    }

    // MARK: Mailchimp

    private static func problem(_ status: Int, _ title: String, _ detail: String = "") -> HTTPResponse {
        .json(["status": .int(Int64(status)), "title": .string(title), "detail": .string(detail)], status: status,
              contentType: "application/problem+json")
    }

    private static func mailchimp(_ request: HTTPRequest, _ s: inout State) -> HTTPResponse {
        let parts = request.path.split(separator: "/").map(String.init)  // ["3.0", "lists", id, …]
        let body = (try? JSONValue(parsing: request.body)) ?? .null
        let segments = Array(parts.dropFirst())
        func match(_ pattern: String) -> [String]? {
            let pieces = pattern.split(separator: " ", maxSplits: 1).map(String.init)
            let expected = pieces[1].split(separator: "/").map(String.init)
            guard request.method == pieces[0], expected.count == segments.count else { return nil }
            var captured: [String] = []
            for (want, have) in zip(expected, segments) {
                if want == "*" { captured.append(have) } else if want != have { return nil }
            }
            return captured
        }
        if match("GET ping") != nil {
            return .json(["health_status": "Everything's Chimpy!"])
        }
        if match("GET lists/*/tag-search") != nil {
            let name = request.queryValue("name")?.lowercased() ?? ""
            let found = s.tags.filter { $0.value.name.lowercased().hasPrefix(name) }.map { ["id": .int($0.key), "name": .string($0.value.name)] as JSONValue }
            return .json(["tags": .array(found), "total_items": .int(Int64(found.count))])
        }
        if match("POST lists/*/segments") != nil {
            let id = (s.tags.keys.max() ?? 0) + 1
            s.tags[id] = (body["name"]?.stringValue ?? "", [])
            return .json(["id": .int(id), "name": body["name"] ?? .null, "type": "static"])
        }
        if let p = match("GET lists/*/segments/*/members") {
            let tag = p[1]
            let emails = (s.tags[Int64(tag) ?? 0]?.members ?? []).sorted()
            return .json(["members": .array(emails.map { ["email_address": .string(s.members[$0]?.email ?? $0)] }),
                          "total_items": .int(Int64(emails.count))])
        }
        if let p = match("POST lists/*/segments/*") {
            let tag = p[1]
            guard s.tags[Int64(tag) ?? 0] != nil else { return problem(404, "Resource Not Found") }
            for email in body["members_to_add"]?.arrayValue?.compactMap(\.stringValue) ?? [] where s.members[email.lowercased()] != nil {
                s.tags[Int64(tag)!]!.members.insert(email.lowercased())
            }
            for email in body["members_to_remove"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                s.tags[Int64(tag)!]!.members.remove(email.lowercased())
            }
            return .json(["total_added": 0, "total_removed": 0, "errors": []])
        }
        if match("POST lists/*") != nil {
            return batchSubscribe(body, &s)
        }
        if match("GET lists/*/merge-fields") != nil {
            return .json(["merge_fields": .array(s.mergeFields.map { ["tag": .string($0)] }), "total_items": .int(Int64(s.mergeFields.count))])
        }
        if let p = match("GET lists/*/members/*") {
            let hash = p[1]
            guard let member = s.members.values.first(where: { subscriberHash($0.email) == hash }) else { return problem(404, "Resource Not Found") }
            return .json(["status": .string(member.status)])
        }
        if match("GET lists/*/members") != nil {
            let status = request.queryValue("status")
            let offset = Int(request.queryValue("offset") ?? "0") ?? 0
            let all = s.members.values.filter { status == nil || $0.status == status }.map(\.email).sorted()
            let page = all.dropFirst(offset).prefix(Int(request.queryValue("count") ?? "10") ?? 10)
            return .json(["members": .array(page.map { ["email_address": .string($0)] }), "total_items": .int(Int64(all.count))])
        }
        if match("GET campaigns") != nil {
            return .json(["campaigns": .array(s.campaigns), "total_items": .int(Int64(s.campaigns.count))])
        }
        if let p = match("GET reports/*/*") {
            let (campaign, report) = (p[0], p[1])
            let items = s.reports[campaign]?[report] ?? []
            let key = ["sent-to": "sent_to", "email-activity": "emails", "unsubscribed": "unsubscribes"][report] ?? report
            let offset = Int(request.queryValue("offset") ?? "0") ?? 0
            let page = items.dropFirst(offset).prefix(Int(request.queryValue("count") ?? "10") ?? 10)
            return .json([key: .array(Array(page)), "total_items": .int(Int64(items.count))])
        }
        return problem(404, "Resource Not Found", "\(request.method) \(request.path)")
    }

    private static func batchSubscribe(_ body: JSONValue, _ s: inout State) -> HTTPResponse {
        var created: [JSONValue] = []
        var updated: [JSONValue] = []
        var errors: [JSONValue] = []
        let updateExisting = body["update_existing"]?.boolValue ?? false
        for item in body["members"]?.arrayValue ?? [] {
            let email = item["email_address"]?.stringValue ?? ""
            let key = email.lowercased()
            let merge = item["merge_fields"]?.objectValue ?? [:]
            if s.forgotten.contains(key) {
                errors.append(["email_address": .string(email), "error_code": "ERROR_GENERIC",
                               "error": .string("\(email) was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list.")])
            } else if let member = s.members[key], updateExisting {
                s.members[key]?.mergeFields.merge(merge) { _, new in new }
                updated.append(["email_address": .string(member.email), "status": .string(member.status)])
            } else if s.members[key] != nil {
                errors.append(["email_address": .string(email), "error_code": "ERROR_CONTACT_EXISTS",
                               "error": .string("\(email) is already a list member, do you want to update? please provide update_existing:true in the request body")])
            } else if let bad = merge.keys.first(where: { !s.mergeFields.contains($0) }) {
                errors.append(["email_address": .string(email), "error_code": "ERROR_GENERIC", "error": "Your merge fields were invalid.",
                               "field": .string(bad), "field_message": "This field does not exist"])
            } else {
                s.members[key] = Member(email: email, status: item["status_if_new"]?.stringValue ?? "subscribed", mergeFields: merge)
                created.append(["email_address": .string(email)])
            }
        }
        return .json(["new_members": .array(created), "updated_members": .array(updated), "errors": .array(errors),
                      "total_created": .int(Int64(created.count)), "error_count": .int(Int64(errors.count))])
    }
}

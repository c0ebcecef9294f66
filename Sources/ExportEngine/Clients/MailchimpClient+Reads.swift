import SimCore

/// Mailchimp reads beyond the sync's core: member statuses, merge fields, campaigns and reports.
extension MailchimpClient {
    /// The status of each address (`nil`: not on the audience, e.g. permanently deleted), one
    /// `GET …/members/{hash}?fields=status` per address, at most `limit` in flight.
    func statuses(list: String, emails: [String], limit: Int) async throws -> [String: String?] {
        let client = self
        let answers = try await concurrentMap(emails, limit: limit) { email -> String? in
            do {
                let member = try await client.json("GET", "/lists/\(list)/members/\(subscriberHash(email))",
                                                   query: [("fields", "status")])
                return member["status"]?.stringValue
            } catch APIFailure.fatal(status: 404, _, _) {
                return nil
            }
        }
        var result: [String: String?] = [:]
        for (email, status) in zip(emails, answers) { result[email.lowercased()] = status }
        return result
    }

    /// Every address of the audience with `status` (lower-cased), one page (1,000) at a time.
    func forEachEmailPage(list: String, status: String, _ body: @Sendable ([String]) throws -> Void) async throws {
        var offset = 0
        while true {
            let page = try await json("GET", "/lists/\(list)/members", query: [
                ("status", status), ("count", "1000"), ("offset", String(offset)),
                ("fields", "members.email_address,total_items"),
            ])
            let members = page["members"]?.arrayValue ?? []
            try body(members.compactMap { $0["email_address"]?.stringValue?.lowercased() })
            offset += members.count
            if members.isEmpty || offset >= Int(page["total_items"]?.intValue ?? 0) { return }
        }
    }

    /// The audience's merge tags (e.g. `FNAME`), upper-cased.
    func mergeFieldTags(list: String) async throws -> [String] {
        let reply = try await json("GET", "/lists/\(list)/merge-fields", query: [("count", "1000"), ("fields", "merge_fields.tag")])
        return (reply["merge_fields"]?.arrayValue ?? []).compactMap { $0["tag"]?.stringValue?.uppercased() }.sorted()
    }

    /// Sent campaigns of the audience sent at or after `since`, oldest first.
    func sentCampaigns(list: String, since: SimTime) async throws -> [Campaign] {
        let items = try await paged("/campaigns", key: "campaigns", query: [
            ("list_id", list), ("status", "sent"), ("since_send_time", since.iso8601),
            ("sort_field", "send_time"), ("sort_dir", "ASC"),
        ])
        return items.compactMap { item in
            guard let id = item["id"]?.stringValue else { return nil }
            let sendTime = item["send_time"]?.stringValue.flatMap(SimTime.init(iso8601:))
            return Campaign(id: id, subject: item["settings"]?["subject_line"]?.stringValue ?? "", sendTime: sendTime)
        }
    }

    /// A campaign report listing (`sent-to`, `email-activity`, `unsubscribed`), one page (1,000
    /// items) at a time.
    func forEachReportPage(_ campaign: String, _ report: String, key: String, query: [(name: String, value: String)] = [],
                           _ body: ([JSONValue]) async throws -> Void) async throws {
        try await forEachPage("/reports/\(campaign)/\(report)", key: key, query: query, body)
    }

    private func paged(_ path: String, key: String, query: [(name: String, value: String)]) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        try await forEachPage(path, key: key, query: query) { items += $0 }
        return items
    }

    private func forEachPage(_ path: String, key: String, query: [(name: String, value: String)],
                             _ body: ([JSONValue]) async throws -> Void) async throws {
        var offset = 0
        while true {
            let page = try await json("GET", path, query: query + [("count", "1000"), ("offset", String(offset))])
            let batch = page[key]?.arrayValue ?? []
            try await body(batch)
            offset += batch.count
            if batch.isEmpty || offset >= Int(page["total_items"]?.intValue ?? 0) { return }
        }
    }
}

/// A sent campaign, as the engagement import needs it.
struct Campaign: Sendable, Equatable {
    var id: String
    var subject: String
    var sendTime: SimTime?
}

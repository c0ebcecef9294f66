import Foundation
import SimCore
import SimHTTP

/// A profile as `/engage` returns it.
struct EngageProfile: Sendable, Equatable {
    var distinctID: String
    var properties: [String: JSONValue]
}

/// The Mixpanel query API calls the engine makes (documented form: `POST /api/query/…`, form body).
struct MixpanelClient: Sendable {
    let access: EngineConfiguration.MixpanelAccess
    let sender: APISender

    private func post(_ path: String, form: [(name: String, value: String)]) async throws -> JSONValue {
        var headers = HTTPHeaders.basic(access.username, access.secret)
        headers.add("Content-Type", "application/x-www-form-urlencoded")
        var request = HTTPRequest(method: "POST", url: access.queryURL + path, headers: headers,
                                  body: Data(URLCoding.encodeForm(form).utf8))
        request.query = [("project_id", String(access.projectID))]
        let response = try await sender.send(request)
        guard let json = response.json else {
            throw APIFailure.rejected(status: response.status, title: "Unexpected response", detail: "not JSON")
        }
        return json
    }

    /// Saved cohorts: id → name.
    func cohorts() async throws -> [Int64: String] {
        let list = try await post("/query/cohorts/list", form: [])
        var result: [Int64: String] = [:]
        for item in list.arrayValue ?? [] {
            if let id = item["id"]?.intValue, let name = item["name"]?.stringValue { result[id] = name }
        }
        return result
    }

    /// Reads the profiles of the cohort's members that have profile properties
    /// (`include_all_users=false`), one page at a time, paged by `session_id` while pages are
    /// full. `body` gets each page as it arrives, so memory holds one page. Returns the number of
    /// profiles read.
    @discardableResult
    func forEachCohortPage(_ cohortID: Int64, _ body: ([EngageProfile]) throws -> Void) async throws -> Int {
        var total = 0
        var page = 0
        var session: String?
        while true {
            var form: [(name: String, value: String)] = [
                ("filter_by_cohort", "{\"id\":\(cohortID)}"), ("include_all_users", "false"),
                ("output_properties", "[\"$email\",\"$first_name\",\"$last_name\",\"$user_id\"]"),
            ]
            if let session { form += [("session_id", session), ("page", String(page))] }
            let reply = try await post("/query/engage", form: form)
            let results = reply["results"]?.arrayValue ?? []
            try body(results.map { result in
                let id = result["$distinct_id"]?.stringValue ?? result["$distinct_id"]?.intValue.map(String.init) ?? ""
                return EngageProfile(distinctID: id, properties: result["$properties"]?.objectValue ?? [:])
            })
            total += results.count
            let pageSize = Int(reply["page_size"]?.intValue ?? 1000)
            session = reply["session_id"]?.stringValue
            guard results.count >= pageSize, session != nil else { return total }
            page += 1
        }
    }
}

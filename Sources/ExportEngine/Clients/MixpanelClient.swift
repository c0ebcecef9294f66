import Foundation
import SimCore
import SimHTTP

/// The Mixpanel query API calls the engine makes (documented form: `POST /api/query/…`, form body).
struct MixpanelClient: Sendable {
    let access: EngineConfiguration.MixpanelAccess
    let sender: APISender

    private func post(_ path: String, form: [(name: String, value: String)]) async throws -> JSONValue {
        let response = try await postForResponse(path, form: form)
        guard let json = response.json else {
            throw APIFailure.rejected(status: response.status, title: "Unexpected response", detail: "not JSON")
        }
        return json
    }

    private func postForResponse(_ path: String, form: [(name: String, value: String)]) async throws -> HTTPResponse {
        var headers = HTTPHeaders.basic(access.username, access.secret)
        headers.add("Content-Type", "application/x-www-form-urlencoded")
        var request = HTTPRequest(method: "POST", url: access.queryURL + path, headers: headers,
                                  body: Data(URLCoding.encodeForm(form).utf8))
        request.query = [("project_id", String(access.projectID))]
        return try await sender.send(request)
    }

    /// One saved cohort as `/cohorts/list` describes it.
    struct CohortListing: Sendable, Equatable {
        var name: String
        /// Its number of users, when the listing gives it (`count`).
        var count: Int?
    }

    /// Saved cohorts by id.
    func cohorts() async throws -> [Int64: CohortListing] {
        let list = try await post("/query/cohorts/list", form: [])
        var result: [Int64: CohortListing] = [:]
        for item in list.arrayValue ?? [] {
            if let id = item["id"]?.intValue, let name = item["name"]?.stringValue {
                result[id] = CohortListing(name: name, count: item["count"]?.intValue.map(Int.init))
            }
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
                ("output_properties", JSONValue.array(EngageProfile.readProperties.map { .string($0) }).canonicalText),
            ]
            if let session { form += [("session_id", session), ("page", String(page))] }
            let response = try await postForResponse("/query/engage", form: form)
            guard let reply = EngagePage(response.body) else {
                throw APIFailure.rejected(status: response.status, title: "Unexpected response", detail: "not JSON")
            }
            let results = reply.profiles
            try body(results)
            total += results.count
            let pageSize = reply.pageSize ?? 1000
            session = reply.sessionID
            guard results.count >= pageSize, session != nil else { return total }
            page += 1
        }
    }
}

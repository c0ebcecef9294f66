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

    /// Pages of one session read at once after page 0: the Query API allows 5 queries at a time
    /// (mixpanel.md §6.2); the engine's query pacer keeps anything else of the project waiting its turn.
    static let pagesInFlight = 5

    /// Reads the profiles of the cohort's members that have profile properties
    /// (`include_all_users=false`). Page 0 opens the session and gives its `total`; the other
    /// pages are then read up to ``pagesInFlight`` at a time (as mixpanel-utils does, M31) and
    /// handed to `body` in page order, so memory holds a few pages. Without a `total`, or if the
    /// last expected page is still full, paging goes on one page at a time while pages are full
    /// (the documented rule, M19). Returns the number of profiles read.
    @discardableResult
    func forEachCohortPage(_ cohortID: Int64, _ body: ([EngageProfile]) throws -> Void) async throws -> Int {
        let first = try await engagePage(cohortID, session: nil, page: 0)
        try body(first.profiles)
        var total = first.profiles.count
        let pageSize = first.pageSize ?? 1000
        guard first.profiles.count >= pageSize, let session = first.sessionID else { return total }
        var next = 1
        var lastFull = true
        if let expected = first.total, pageSize > 0 {
            let pages = (expected + pageSize - 1) / pageSize
            // A failed page (or a stop) sends nothing more, but the pages already in flight are
            // let finish rather than cancelled: their answers arrive whatever the client does.
            var failure: (any Error)?
            await withTaskGroup(of: (Int, Result<EngagePage, any Error>).self) { group in
                var buffered: [Int: EngagePage] = [:]
                var sent = 1
                func sendMore() {
                    while failure == nil && sent < pages && sent - next < Self.pagesInFlight {
                        let index = sent
                        group.addTask {
                            do { return (index, .success(try await engagePage(cohortID, session: session, page: index))) } catch {
                                return (index, .failure(error))
                            }
                        }
                        sent += 1
                    }
                }
                sendMore()
                while let (index, result) = await group.next() {
                    switch result {
                    case .success(let reply): buffered[index] = reply
                    case .failure(let error): if failure == nil { failure = error }
                    }
                    while failure == nil, let ready = buffered.removeValue(forKey: next) {
                        do { try body(ready.profiles) } catch { failure = error }
                        total += ready.profiles.count
                        lastFull = ready.profiles.count >= (ready.pageSize ?? pageSize)
                        next += 1
                    }
                    sendMore()
                }
            }
            if let failure { throw failure }
        }
        // All the profiles page 0 announced are read: no further (empty) page is asked for.
        if let expected = first.total, total >= expected { lastFull = false }
        // No total, or the session holds more than it said: the documented rule from here.
        while lastFull {
            let reply = try await engagePage(cohortID, session: session, page: next)
            try body(reply.profiles)
            total += reply.profiles.count
            lastFull = reply.profiles.count >= (reply.pageSize ?? pageSize) && !reply.profiles.isEmpty
            next += 1
        }
        return total
    }

    /// One `/engage` page of the cohort: page 0 opens a session, later pages name it.
    private func engagePage(_ cohortID: Int64, session: String?, page: Int) async throws -> EngagePage {
        var form: [(name: String, value: String)] = [
            ("filter_by_cohort", "{\"id\":\(cohortID)}"), ("include_all_users", "false"),
            ("output_properties", JSONValue.array(EngageProfile.readProperties.map { .string($0) }).canonicalText),
        ]
        if let session { form += [("session_id", session), ("page", String(page))] }
        let response = try await postForResponse("/query/engage", form: form)
        guard let reply = EngagePage(response.body) else {
            throw APIFailure.rejected(status: response.status, title: "Unexpected response", detail: "not JSON")
        }
        return reply
    }
}

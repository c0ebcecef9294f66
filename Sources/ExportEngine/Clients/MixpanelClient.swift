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
            // Each child answers an `AnsweredPage`, not an `(Int, Result<EngagePage, any Error>)`
            // tuple: with that tuple, release builds of Swift 6.3.1 delivered garbage page indices
            // (docs/performance.md, "Capacity"), so no page was ever delivered in order.
            let paged = await withTaskGroup(of: AnsweredPage.self) { group in
                var state = ParallelPaging(next: next, sent: 1, total: total)
                while true {
                    while state.failure == nil && state.sent < pages && state.sent - state.next < Self.pagesInFlight {
                        let index = state.sent
                        group.addTask {
                            do {
                                return AnsweredPage(index: index, page: try await engagePage(cohortID, session: session, page: index), error: nil)
                            } catch {
                                return AnsweredPage(index: index, page: nil, error: error)
                            }
                        }
                        state.sent += 1
                    }
                    guard let answered = await group.next() else {
                        // Every answered page is delivered or a failure stops the read; pages
                        // answered but never delivered would be read again, or lost, silently.
                        if state.failure == nil && state.next < state.sent {
                            state.failure = EngineError("cohort \(cohortID): pages \(state.next)..<\(state.sent) were answered but not delivered in order")
                        }
                        return state
                    }
                    if let page = answered.page {
                        state.buffered[answered.index] = page
                    } else if state.failure == nil {
                        state.failure = answered.error
                    }
                    while state.failure == nil, let ready = state.buffered.removeValue(forKey: state.next) {
                        do { try body(ready.profiles) } catch { state.failure = error }
                        state.total += ready.profiles.count
                        state.lastFull = ready.profiles.count >= (ready.pageSize ?? pageSize)
                        state.next += 1
                    }
                }
            }
            if let failure = paged.failure { throw failure }
            (next, total, lastFull) = (paged.next, paged.total, paged.lastFull)
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

/// One page's answer in ``MixpanelClient/forEachCohortPage(_:_:)``: the page, or the error.
private struct AnsweredPage: Sendable {
    let index: Int
    let page: EngagePage?
    let error: (any Error)?
}

/// The counters of ``MixpanelClient/forEachCohortPage(_:_:)`` while pages are read in parallel.
private struct ParallelPaging {
    /// The next page to deliver, in order.
    var next: Int
    /// The next page to ask for.
    var sent: Int
    var total: Int
    var lastFull = true
    var failure: (any Error)?
    /// Pages answered ahead of `next`.
    var buffered: [Int: EngagePage] = [:]
}

import Foundation
import SimCore
import SimHTTP

/// Mixpanel calls beyond the query API: the service account's role and event import.
extension MixpanelClient {
    /// The app API root: the query URL without its trailing `/api`, plus `/api/app`.
    var appURL: String {
        var base = access.queryURL
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/api") { base.removeLast(4) }
        return base + "/api/app"
    }

    /// The service account's role in the configured project (`owner`, `admin`, `analyst`,
    /// `consumer`), lower-cased; `nil` when the account is not a member of the project.
    ///
    /// `GET /api/app/projects/{projectId}/service-accounts` (service-accounts.openapi.yaml,
    /// `ListServiceAccountsForProjectResponse`): the project's service accounts, each with its
    /// `username` and `role` (`RoleEnum`); the configured account is found by its username.
    func serviceAccountRole() async throws -> String? {
        let url = appURL + "/projects/\(access.projectID)/service-accounts"
        let response = try await sender.send(HTTPRequest(method: "GET", url: url, headers: .basic(access.username, access.secret)))
        guard let accounts = response.json?["results"]?.arrayValue else {
            throw APIFailure.rejected(status: response.status, title: "Unexpected response",
                                      detail: "the project's service accounts are not a JSON object with a results array")
        }
        let account = accounts.first { $0["username"]?.stringValue == access.username }
        return account.flatMap { $0["role"]?.stringValue?.lowercased() }
    }

    /// Outcome of one `/import` call.
    struct ImportResult: Sendable, Equatable {
        var imported: Int
        /// Events refused by `strict=1` validation (the rest of the batch is ingested).
        var refused: Int
        var firstError: String
    }

    /// `POST {ingestURL}/import?strict=1&project_id=…` with service-account Basic auth and a JSON
    /// array of at most 2000 events. A 400 with `failed_records` is an answer, not a failure.
    func importEvents(_ events: [JSONValue]) async throws -> ImportResult {
        var headers = HTTPHeaders.basic(access.username, access.secret)
        headers.add("Content-Type", "application/json")
        var request = HTTPRequest(method: "POST", url: access.ingestURL + "/import", headers: headers,
                                  body: JSONValue.array(events).canonicalData)
        request.query = [("strict", "1"), ("project_id", String(access.projectID))]
        let response = try await sender.send(request, accepting: [400])
        let json = response.json ?? .null
        if response.status == 400 {
            let failed = json["failed_records"]?.arrayValue ?? []
            guard !failed.isEmpty else {
                let (title, detail) = APISender.problem(response)
                throw APIFailure.rejected(status: 400, title: title, detail: detail)
            }
            let message = failed.first?["message"]?.stringValue ?? json["error"]?.stringValue ?? ""
            let imported = Int(json["num_records_imported"]?.intValue ?? Int64(events.count - failed.count))
            return ImportResult(imported: imported, refused: failed.count, firstError: message)
        }
        return ImportResult(imported: Int(json["num_records_imported"]?.intValue ?? Int64(events.count)), refused: 0, firstError: "")
    }
}

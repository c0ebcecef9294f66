import Foundation
import SimCore
import SimHTTP

/// `POST /import` (§5.2): authenticated batch import of up to 2000 events and 10 MB (A20).
///
/// JSON and NDJSON bodies get `{"code", "num_records_imported", "status"}` replies (400 with
/// `failed_records` under `strict=1`, the spec's default); form-encoded bodies get
/// `{"status": 1|0, "error": …}` (A26).
enum ImportRoutes {
    static func register(in routes: inout RouteTable<FakeMixpanel>) {
        routes.on("POST", "/import") { fake, request, _ in try importEvents(fake, request) }
    }

    private static func importEvents(_ fake: FakeMixpanel, _ request: HTTPRequest) throws -> HTTPResponse {
        try authorize(fake, request)
        let settings = fake.ingestionSettings
        guard request.body.count <= settings.importMaxBytes else {
            throw QueryError(status: 413, message: "request exceeds max limit of 2097152 bytes")
        }
        let payload: PayloadDecoder.Payload
        switch PayloadDecoder.body(request).flatMap({ PayloadDecoder.decode(request, body: $0) }) {
        case .failure(let failure): throw QueryError(status: 400, message: failure.message)
        case .success(let value): payload = value
        }
        guard payload.events.count <= settings.maxEventsPerRequest else {
            throw QueryError(status: 400, message: "too many events: at most \(settings.maxEventsPerRequest) per request")
        }
        let results = try fake.ingest(raw: payload.events, rules: .importAPI)
        let imported = results.filter(\.accepted).count
        let failures = results.compactMap(\.failure)
        if payload.isForm {
            return .json(["status": failures.isEmpty ? 1 : 0, "error": failures.first.map { .string($0.message) } ?? .null])
        }
        guard request.queryValue("strict") != "0", !failures.isEmpty else {
            return .json(["code": 200, "num_records_imported": .int(Int64(imported)), "status": "OK"])
        }
        let records = failures.map { failure -> JSONValue in
            var record: [String: JSONValue] = ["index": .int(Int64(failure.index)), "field": .string(failure.field),
                                               "message": .string(failure.message)]
            if let id = failure.insertID { record[settings.failedRecordInsertIDKey] = .string(id) }
            return .object(record)
        }
        return .json(["code": 400, "error": "some data points in the request failed validation", "failed_records": .array(records),
                      "num_records_imported": .int(Int64(imported)), "status": "Bad Request"], status: 400)
    }

    /// A23: a service account with `project_id` (owner or admin only), or the project token as the
    /// Basic user name with an empty password (`project_id` then optional and ignored).
    private static func authorize(_ fake: FakeMixpanel, _ request: HTTPRequest) throws {
        guard let (user, secret) = FakeMixpanel.basicCredentials(request) else {
            throw QueryError(status: 401, message: "Invalid credentials")
        }
        if user == fake.token && secret.isEmpty { return }
        guard let account = fake.serviceAccount(for: request) else { throw QueryError(status: 401, message: "Invalid credentials") }
        guard let raw = request.queryValue("project_id") else { throw QueryError(status: 400, message: "project_id is required") }
        guard Int64(raw) == fake.projectID else {
            throw QueryError(status: 403, message: "service account has no access to project \(raw)")
        }
        guard account.role == .owner || account.role == .admin else {
            throw QueryError(status: 403, message: "service account role '\(account.role.rawValue)' may not import; owner or admin is required")
        }
    }
}

import Foundation
import GRDB
import SimCore
import SimHTTP

/// The `/batches` lifecycle, computed from the clock (no background tasks): one stage per
/// ``stageLength`` of virtual time after submission, `pending → preprocessing → started →
/// finalizing → finished`. The operations run once, at the first request the fake handles (or
/// ``FakeMailchimp/runDueBatches()``) at or after the `started` instant.
enum BatchLifecycle {
    static let stages = ["pending", "preprocessing", "started", "finalizing", "finished"]
    static let stageLength = SimDuration.seconds(2)
    /// Batches are listed and readable for 7 days; result URLs expire after 10 minutes.
    static let retention = SimDuration.days(7)
    static let urlLifetime = SimDuration.minutes(10)

    static func stage(submitted: SimTime, now: SimTime) -> Int {
        min(stages.count - 1, Int(max(0, now.duration(since: submitted).milliseconds) / stageLength.milliseconds))
    }

    static func startTime(submitted: SimTime) -> SimTime { submitted.adding(stageLength * 2) }
    static func finishTime(submitted: SimTime) -> SimTime { submitted.adding(stageLength * 4) }
}

/// One operation of a batch, as submitted.
struct BatchOperation {
    var method: String
    var path: String
    var params: [(name: String, value: String)]
    var body: String
    var operationID: JSONValue

    init(method: String, path: String, params: [(name: String, value: String)], body: String, operationID: JSONValue) {
        self.method = method
        self.path = path
        self.params = params
        self.body = body
        self.operationID = operationID
    }

    /// Reads one entry of `operations`, or the schema errors for it.
    static func parse(_ value: JSONValue, index: Int) -> Result<BatchOperation, MailchimpProblem> {
        let field = "operations[\(index)]"
        guard let object = value.objectValue else { return .failure(.schema(field, "Schema describes object, \(value.typeName) found instead")) }
        guard let method = object["method"]?.stringValue?.uppercased(), ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method) else {
            return .failure(.schema("\(field).method", "Data presented is not one of the accepted values: GET, POST, PUT, PATCH, DELETE."))
        }
        guard let path = object["path"]?.stringValue, !path.isEmpty else {
            return .failure(.schema("\(field).path", "Required property path was not present."))
        }
        if let body = object["body"], body.stringValue == nil {
            return .failure(.schema("\(field).body", "Schema describes string, \(body.typeName) found instead"))
        }
        let params = (object["params"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map {
            (name: $0.key, value: $0.value.stringValue ?? $0.value.canonicalText)
        }
        return .success(BatchOperation(method: method, path: path, params: params, body: object["body"]?.stringValue ?? "",
                                       operationID: object["operation_id"] ?? .null))
    }

    var json: JSONValue {
        ["method": .string(method), "path": .string(path), "body": .string(body), "operation_id": operationID,
         "params": .object(Dictionary(params.map { ($0.name, JSONValue.string($0.value)) }, uniquingKeysWith: { a, _ in a }))]
    }

    /// The request this operation makes against the account, relative to `/3.0`.
    var request: HTTPRequest {
        let (_, decodedPath, inlineQuery) = URLCoding.split(path.hasPrefix("/") ? path : "/" + path)
        let full = decodedPath.hasPrefix("/3.0/") || decodedPath == "/3.0" ? decodedPath : "/3.0" + decodedPath
        return HTTPRequest(method: method, path: full, query: inlineQuery + params,
                           headers: ["Content-Type": "application/json"], body: Data(body.utf8))
    }
}

extension FakeMailchimp {
    /// Runs every batch whose `started` instant has passed and whose operations have not run yet,
    /// through the same routes as direct calls, in an order drawn from the seed. A failure of the
    /// fake's own database is thrown (the request then gets a 500), never taken as "nothing due".
    public func runDueBatches() async throws {
        let now = clock.now
        let due = try read { db in
            try String.fetchAll(try db.cachedStatement(sql: "SELECT id FROM batch WHERE claimed = 0 AND submitted_ms <= ? ORDER BY submitted_ms, id"), arguments: [now.milliseconds - (BatchLifecycle.stageLength * 2).milliseconds])
        }
        for id in due { try await runBatch(id) }
    }

    private func runBatch(_ id: String) async throws {
        let claimed = try write { db -> [JSONValue]? in
            try db.cachedStatement(sql: "UPDATE batch SET claimed = 1 WHERE id = ? AND claimed = 0").execute(arguments: [id])
            guard db.changesCount == 1 else { return nil }
            let text = try String.fetchOne(try db.cachedStatement(sql: "SELECT operations FROM batch WHERE id = ?"), arguments: [id]) ?? "[]"
            return try JSONValue(parsing: text).arrayValue ?? []
        }
        guard let operations = claimed else { return }
        let order = operations.indices.sorted {
            StableHash.value(seed: seed, "batch-order", id, String($0)) < StableHash.value(seed: seed, "batch-order", id, String($1))
        }
        var results: [JSONValue] = []
        var errored = 0
        for index in order {
            guard case .success(let operation) = BatchOperation.parse(operations[index], index: index) else { continue }
            let request = operation.request
            let instance = StableHash.uuid(seed: seed, "instance", "batch", id, String(index))
            let response = await dispatch(request, instance: instance)
            if response.status != 200 { errored += 1 }
            results.append(["status_code": .int(Int64(response.status)), "operation_id": operation.operationID,
                            "response": .string(response.bodyText)])
        }
        try write { db in
            try db.cachedStatement(sql: "UPDATE batch SET results = ?, errored = ? WHERE id = ?").execute(arguments: [JSONValue.array(results).canonicalText, errored, id])
        }
    }
}

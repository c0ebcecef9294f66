import Foundation
import GRDB
import SimCore
import SimHTTP

/// `/batches` and the simulated results download `/3.0/_sim/batch-results/{id}.tar.gz`.
enum BatchRoutes {
    static let resultsPrefix = "/3.0/_sim/batch-results/"

    static func register(in routes: inout RouteTable<FakeMailchimp>) {
        routes.on("POST", "/3.0/batches") { fake, request, _ in try create(fake, request) }
        routes.on("GET", "/3.0/batches") { fake, request, _ in
            let (count, offset) = try RequestReading.paging(request)
            return try fake.read { db in
                let rows = try visible(db, now: fake.clock.now)
                return .json(["batches": .array(rows.dropFirst(offset).prefix(count).map { render($0, fake: fake, request: request) }),
                              "total_items": .int(Int64(rows.count)), "_links": []])
            }
        }
        routes.on("GET", "/3.0/batches/{batch}") { fake, request, p in
            try fake.read { db in .json(render(try batch(db, p["batch"], now: fake.clock.now), fake: fake, request: request)) }
        }
        routes.on("DELETE", "/3.0/batches/{batch}") { fake, _, p in
            try fake.write { db in
                let row = try batch(db, p["batch"], now: fake.clock.now)
                try db.cachedStatement(sql: "DELETE FROM batch WHERE id = ?").execute(arguments: [row["id"] as String])
                return HTTPResponse(status: 204)
            }
        }
        routes.on("GET", "/3.0/_sim/batch-results/{file}") { fake, request, p in try results(fake, request, p) }
    }

    private static func visible(_ db: Database, now: SimTime) throws -> [Row] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM batch WHERE submitted_ms >= ? ORDER BY submitted_ms, id"), arguments: [now.milliseconds - BatchLifecycle.retention.milliseconds])
    }

    private static func batch(_ db: Database, _ id: String, now: SimTime) throws -> Row {
        guard let row = try visible(db, now: now).first(where: { $0["id"] == id }) else { throw MailchimpProblem.notFound }
        return row
    }

    private static func create(_ fake: FakeMailchimp, _ request: HTTPRequest) throws -> HTTPResponse {
        let body = try RequestReading.object(request)
        guard let operations = body["operations"]?.arrayValue else {
            throw MailchimpProblem.schema("operations", "Required property operations was not present.")
        }
        var parsed: [JSONValue] = []
        for (index, value) in operations.enumerated() {
            switch BatchOperation.parse(value, index: index) {
            case .success(let operation): parsed.append(operation.json)
            case .failure(let problem): throw problem
            }
        }
        let now = fake.clock.now
        return try fake.write { db in
            let text = JSONValue.array(parsed).canonicalText
            var n = 0
            var id = StableHash.hex(seed: fake.seed, length: 10, "batch", String(now.milliseconds), String(StableHash.fnv1a64(text)))
            while try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM batch WHERE id = ?"), arguments: [id]) ?? false {
                n += 1
                id = StableHash.hex(seed: fake.seed, length: 10, "batch", String(now.milliseconds), String(StableHash.fnv1a64(text)), String(n))
            }
            try db.cachedStatement(sql: "INSERT INTO batch (id, submitted_ms, operations) VALUES (?, ?, ?)").execute(arguments: [id, now.milliseconds, text])
            return .json(render(try batch(db, id, now: now), fake: fake, request: request))
        }
    }

    static func render(_ row: Row, fake: FakeMailchimp, request: HTTPRequest) -> JSONValue {
        let now = fake.clock.now
        let submitted = SimTime(milliseconds: row["submitted_ms"])
        let stage = BatchLifecycle.stage(submitted: submitted, now: now)
        let total = (try? JSONValue(parsing: row["operations"] as String))?.arrayValue?.count ?? 0
        let ran = (row["results"] as String?) != nil
        let finished = stage == BatchLifecycle.stages.count - 1 && ran
        var url = ""
        if finished {
            let origin = request.origin.isEmpty ? "https://\(fake.dataCenter).api.mailchimp.com" : request.origin
            url = "\(origin)\(resultsPrefix)\(row["id"] as String).tar.gz?expires=\(now.adding(BatchLifecycle.urlLifetime).seconds)"
        }
        return ["id": .string(row["id"]), "status": .string(BatchLifecycle.stages[stage]), "total_operations": .int(Int64(total)),
                "finished_operations": .int(ran ? Int64(total) : 0), "errored_operations": .int(ran ? row["errored"] : 0),
                "submitted_at": .string(submitted.mailchimpTimestamp),
                "completed_at": .string(finished ? BatchLifecycle.finishTime(submitted: submitted).mailchimpTimestamp : ""),
                "response_body_url": .string(url), "_links": []]
    }

    /// The results archive: a `./` entry, then `<id>.json` holding the array of results.
    private static func results(_ fake: FakeMailchimp, _ request: HTTPRequest, _ p: RouteParameters) throws -> HTTPResponse {
        let now = fake.clock.now
        guard p["file"].hasSuffix(".tar.gz") else { throw MailchimpProblem.notFound }
        let id = String(p["file"].dropLast(".tar.gz".count))
        if let expires = request.queryValue("expires").flatMap(Int64.init), expires < now.seconds {
            let xml = "<?xml version='1.0' encoding='UTF-8'?><Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>"
            return HTTPResponse(status: 400, headers: ["Content-Type": "application/xml; charset=UTF-8"], body: Data(xml.utf8))
        }
        let row = try fake.read { db in try batch(db, id, now: now) }
        guard let text: String = row["results"],
              BatchLifecycle.stage(submitted: SimTime(milliseconds: row["submitted_ms"]), now: now) == BatchLifecycle.stages.count - 1 else {
            throw MailchimpProblem.notFound
        }
        let modified = BatchLifecycle.finishTime(submitted: SimTime(milliseconds: row["submitted_ms"])).seconds
        let archive = TarGzip.archive([.init(name: "./", contents: nil), .init(name: "./\(id).json", contents: Data(text.utf8))],
                                      modified: modified)
        return HTTPResponse(status: 200, headers: ["Content-Type": "application/gzip"], body: archive)
    }
}

import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMixpanel

@Suite(.timeLimit(.minutes(2))) struct IngestionTests {
    let fake: FakeMixpanel
    let now = Fixture.seconds(Fixture.start)

    init() throws { fake = try Fixture.fake() }

    func trackForm(_ events: JSONValue, query: String = "") async -> HTTPResponse {
        await fake.handle(Fixture.request("POST", "https://api.mixpanel.com/track" + query, auth: nil,
                                          contentType: "application/x-www-form-urlencoded",
                                          body: "data=" + URLCoding.encodeComponent(events.canonicalText)))
    }

    @Test func trackAcceptsFormDataWithTheTokenInProperties() async throws {
        let response = await trackForm([["event": "Visit", "properties": ["token": "tok", "distinct_id": "u1", "time": now]]])
        #expect(response.bodyText == "1")
        #expect(try fake.knownUsers()["u1"] != nil)
    }

    @Test func trackAcceptsAJSONArrayAndAnswersVerbosely() async {
        let body = JSONValue.array([["event": "Visit", "properties": ["token": "wrong", "distinct_id": "u1"]]]).canonicalText
        let response = await fake.handle(Fixture.request("POST", "https://api.mixpanel.com/track?verbose=1", auth: nil,
                                                         contentType: "application/json", body: body))
        #expect(response.json?["status"] == 0)
        #expect(response.json?["error"]?.stringValue?.contains("token") == true)
    }

    @Test func trackRefusesEventsOlderThanFiveDays() async {
        let old = Fixture.seconds(Fixture.start.adding(.days(-6)))
        let response = await trackForm([["event": "Visit", "properties": ["token": "tok", "distinct_id": "u1", "time": old]]], query: "?verbose=1")
        #expect(response.json?["status"] == 0)
        let imported = await Fixture.importJSON(fake, [["event": "Visit", "properties": ["distinct_id": "u1", "time": old, "$insert_id": "abc-1"]]])
        #expect(imported.json == ["code": 200, "num_records_imported": 1, "status": "OK"])
    }

    @Test func strictImportReportsFailedRecordsAndKeepsTheValidOnes() async {
        let response = await Fixture.importJSON(fake, [
            ["event": "Visit", "properties": ["distinct_id": "u1", "$insert_id": "i1"]],
            ["event": "Visit", "properties": ["distinct_id": "null", "time": now, "$insert_id": "i2"]],
            ["event": "Visit", "properties": ["distinct_id": "u3", "time": now]],
            ["event": "Visit", "properties": ["distinct_id": "u4", "time": now, "$insert_id": "i4"]],
        ], query: "&strict=1")
        #expect(response.status == 400)
        #expect(response.json?["error"] == "some data points in the request failed validation")
        #expect(response.json?["num_records_imported"] == 1)
        let records = response.json?["failed_records"]?.arrayValue ?? []
        #expect(records.map { $0["field"] } == ["properties.time", "properties.distinct_id", "$insert_id"])
        #expect(records.first?["message"] == "'properties.time' is invalid: must be specified as seconds since epoch")
        #expect(records.first?["insert_id"] == "i1")
    }

    @Test func importTimeRulesClampTheNearFutureAndRefuseTheFarFuture() async throws {
        let soon = Fixture.seconds(Fixture.start.adding(.minutes(30)))
        let late = Fixture.seconds(Fixture.start.adding(.hours(2)))
        let response = await Fixture.importJSON(fake, [
            ["event": "A", "properties": ["distinct_id": "u1", "time": soon, "$insert_id": "i1"]],
            ["event": "B", "properties": ["distinct_id": "u1", "time": late, "$insert_id": "i2"]],
            ["event": "C", "properties": ["distinct_id": "u1", "time": 1000, "$insert_id": "i3"]],
        ])
        #expect(response.json?["num_records_imported"] == 1)
        #expect(try fake.knownUsers()["u1"]?.events["A"] == [Fixture.start])
    }

    @Test func importAcceptsNDJSONAndMillisecondTimes() async {
        let ms = JSONValue.int(Fixture.start.milliseconds)
        let lines: [JSONValue] = [["event": "A", "properties": ["distinct_id": "u1", "time": ms, "$insert_id": "i1"]],
                                  ["event": "B", "properties": ["distinct_id": "u1", "time": ms, "$insert_id": "i2"]]]
        let body = lines.map(\.canonicalText).joined(separator: "\n")
        let response = await fake.handle(Fixture.request("POST", "https://api.mixpanel.com/import?project_id=7", contentType: "application/x-ndjson", body: body))
        #expect(response.json?["num_records_imported"] == 2)
    }

    @Test func duplicatesCountOnceInQueriesButExportRaw() async throws {
        let event: JSONValue = ["event": "A", "properties": ["distinct_id": "u1", "time": now, "$insert_id": "same"]]
        _ = await Fixture.importJSON(fake, [event, event])
        #expect(try fake.knownUsers()["u1"]?.events["A"]?.count == 1)
        let export = await fake.handle(Fixture.request("GET", "https://data.mixpanel.com/api/2.0/export?project_id=7&from_date=2026-03-15&to_date=2026-03-15"))
        #expect(export.bodyText.split(separator: "\n").count == 2)
    }

    @Test func importAuthAcceptsTheTokenAsUserNameAndRefusesOthers() async {
        let event: JSONValue = [["event": "A", "properties": ["distinct_id": "u1", "time": now, "$insert_id": "i1"]]]
        let token = await fake.handle(Fixture.request("POST", "https://api.mixpanel.com/import", auth: "tok:", contentType: "application/json", body: event.canonicalText))
        #expect(token.status == 200)
        let wrong = await Fixture.importJSON(fake, event, auth: "sa:bad")
        #expect(wrong.status == 401)
        #expect(wrong.json == ["code": 401, "error": "Invalid credentials", "status": "Unauthorized"])
        let consumer = await Fixture.importJSON(fake, event, auth: "viewer:pw2")
        #expect(consumer.status == 403)
        let noProject = await fake.handle(Fixture.request("POST", "https://api.mixpanel.com/import", contentType: "application/json", body: event.canonicalText))
        #expect(noProject.status == 400)
    }

    @Test func importLimitsBatchSizeAndBytes() async throws {
        let one: JSONValue = ["event": "A", "properties": ["distinct_id": "u1", "time": now, "$insert_id": "i1"]]
        let tooMany = await Fixture.importJSON(fake, .array(Array(repeating: one, count: 2001)))
        #expect(tooMany.status == 400)
        let big = String(repeating: " ", count: 10 * 1024 * 1024 + 1)
        let tooBig = await fake.handle(Fixture.request("POST", "https://api.mixpanel.com/import?project_id=7", contentType: "application/json", body: big))
        #expect(tooBig.status == 413)
        #expect(tooBig.json?["error"] == "request exceeds max limit of 2097152 bytes")
    }

    @Test func formEncodedImportGetsTheStatusReplyShape() async {
        let data = JSONValue.array([["event": "A", "properties": ["distinct_id": "u1", "time": now, "$insert_id": "i1"]]]).canonicalText
        let response = await fake.handle(Fixture.request("POST", "https://api.mixpanel.com/import?project_id=7", contentType: "application/x-www-form-urlencoded",
                                                         body: "data=" + URLCoding.encodeComponent(data)))
        #expect(response.json == ["status": 1, "error": nil])
    }

    @Test func gzipBodiesAreInflated() async throws {
        let events = JSONValue.array([["event": "A", "properties": ["distinct_id": "u1", "time": now, "$insert_id": "g1"]]]).canonicalData
        var request = Fixture.request("POST", "https://api.mixpanel.com/import?project_id=7", contentType: "application/json", body: "")
        request.body = try Gzip.compress(events)
        request.headers.add("Content-Encoding", "gzip")
        let response = await fake.handle(request)
        #expect(response.status == 200)
        #expect(response.json?["num_records_imported"] == 1)
    }

    @Test func corruptGzipIsAClear400() async {
        var request = Fixture.request("POST", "https://api.mixpanel.com/import?project_id=7", contentType: "application/json", body: "not gzip")
        request.headers.add("Content-Encoding", "gzip")
        let response = await fake.handle(request)
        #expect(response.status == 400)
        #expect(response.json?["error"]?.stringValue?.contains("gzip") == true)
    }
}

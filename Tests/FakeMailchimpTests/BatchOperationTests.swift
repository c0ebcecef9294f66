import Foundation
import Testing
import SimCore
import SimHTTP
@testable import FakeMailchimp

@Suite(.timeLimit(.minutes(2))) struct BatchOperationTests {
    static let list = MailchimpFixture.list

    func submit(_ fixture: MailchimpFixture) async -> HTTPResponse {
        await fixture.send("POST", "/3.0/batches", ["operations": [
            ["method": "POST", "path": .string("/lists/\(Self.list)/members"), "operation_id": "add-a",
             "body": .string(#"{"email_address":"a@freddiesjokes.com","status":"subscribed"}"#)],
            ["method": "GET", "path": .string("lists/\(Self.list)/members"), "params": ["count": "5"], "operation_id": "read"],
            ["method": "GET", "path": "/lists/nope", "operation_id": "missing"],
        ]])
    }

    @Test func batchAdvancesWithVirtualTimeAndRunsItsOperations() async throws {
        let clock = VirtualClock(start: MailchimpFixture.start)
        let fixture = try MailchimpFixture(clock: clock)
        let created = await submit(fixture)
        #expect(created.status == 200)
        let id = try #require(created.json?["id"]?.stringValue)
        #expect(created.json?["status"] == "pending")
        #expect(created.json?["total_operations"] == 3)
        #expect(created.json?["finished_operations"] == 0)
        #expect(created.json?["completed_at"] == "")
        #expect(created.json?["response_body_url"] == "")
        var statuses: [String] = []
        for second in [1, 2, 4, 6, 8] {
            clock.set(MailchimpFixture.start.adding(.seconds(Int64(second))))
            statuses.append(await fixture.send("GET", "/3.0/batches/\(id)").json?["status"]?.stringValue ?? "?")
        }
        #expect(statuses == ["pending", "preprocessing", "started", "finalizing", "finished"])
        #expect(try fixture.fake.dump()[0].members.map(\.email) == ["a@freddiesjokes.com"])
        let finished = await fixture.send("GET", "/3.0/batches/\(id)")
        #expect(finished.json?["finished_operations"] == 3)
        #expect(finished.json?["errored_operations"] == 1)
        #expect(finished.json?["completed_at"] == .string(MailchimpFixture.start.adding(.seconds(8)).mailchimpTimestamp))
        let url = try #require(finished.json?["response_body_url"]?.stringValue)
        #expect(url.hasPrefix("https://us6.api.mailchimp.com/3.0/_sim/batch-results/\(id).tar.gz?expires="))

        let download = await fixture.fake.handle(HTTPRequest(method: "GET", url: url))
        #expect(download.status == 200)
        let files = try TarReader.files(gzip: download.body)
        #expect(files.map(\.name) == ["./", "./\(id).json"])
        let results = try #require(try JSONValue(parsing: files[1].contents).arrayValue)
        let byID = Dictionary(uniqueKeysWithValues: results.map { ($0["operation_id"]?.stringValue ?? "", $0) })
        #expect(byID["add-a"]?["status_code"] == 200)
        #expect(byID["missing"]?["status_code"] == 404)
        let read = try JSONValue(parsing: byID["read"]?["response"]?.stringValue ?? "")
        #expect(read["list_id"] == .string(Self.list))  // operations run in a seeded order, so the add may come later
        let missing = try JSONValue(parsing: byID["missing"]?["response"]?.stringValue ?? "")
        #expect(missing["title"] == "Resource Not Found")

        clock.set(MailchimpFixture.start.adding(.minutes(30)))
        #expect(await fixture.fake.handle(HTTPRequest(method: "GET", url: url)).status == 400)
        #expect(await fixture.send("GET", "/3.0/batches/\(id)").json?["response_body_url"]?.stringValue?.isEmpty == false)
    }

    @Test func batchesAreListedDeletedAndExpireAfterSevenDays() async throws {
        let clock = VirtualClock(start: MailchimpFixture.start)
        let fixture = try MailchimpFixture(clock: clock)
        let id = try #require(await submit(fixture).json?["id"]?.stringValue)
        #expect(await fixture.send("GET", "/3.0/batches").json?["total_items"] == 1)
        clock.set(MailchimpFixture.start.adding(.days(8)))
        #expect(await fixture.send("GET", "/3.0/batches").json?["total_items"] == 0)
        #expect(await fixture.send("GET", "/3.0/batches/\(id)").status == 404)
        clock.set(MailchimpFixture.start.adding(.days(9)))
        let second = try #require(await submit(fixture).json?["id"]?.stringValue)
        #expect(await fixture.send("DELETE", "/3.0/batches/\(second)").status == 204)
        #expect(await fixture.send("GET", "/3.0/batches/\(second)").status == 404)
    }

    @Test func invalidOperationsAreRejected() async throws {
        let fixture = try MailchimpFixture()
        let missing = await fixture.send("POST", "/3.0/batches", [:])
        #expect(missing.json?["errors"]?.arrayValue?.first?["field"] == "operations")
        let objectBody = await fixture.send("POST", "/3.0/batches", ["operations": [["method": "POST", "path": "/lists", "body": ["a": 1]]]])
        #expect(objectBody.status == 400)
        #expect(objectBody.json?["errors"]?.arrayValue?.first?["field"] == "operations[0].body")
        let badMethod = await fixture.send("POST", "/3.0/batches", ["operations": [["method": "TRACE", "path": "/lists"]]])
        #expect(badMethod.json?["errors"]?.arrayValue?.first?["field"] == "operations[0].method")
    }

    @Test func systemTarReadsTheResults() async throws {
        let tarPath = ["/usr/bin/tar", "/bin/tar"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let tarPath else { return }
        let archive = TarGzip.archive([.init(name: "./", contents: nil), .init(name: "./x.json", contents: Data("[1]".utf8))], modified: 1_700_000_000)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cohortsim-\(ProcessInfo.processInfo.processIdentifier).tar.gz")
        try archive.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tarPath)
        process.arguments = ["-xzOf", file.path, "./x.json"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "[1]")
    }
}

/// Reads the fake's own `.tar.gz` (stored deflate blocks) back, for assertions.
enum TarReader {
    struct Failure: Error {}

    static func files(gzip: Data) throws -> [(name: String, contents: Data)] {
        let bytes = [UInt8](gzip)
        guard bytes.count > 18, bytes[0] == 0x1f, bytes[1] == 0x8b else { throw Failure() }
        var tar: [UInt8] = []
        var offset = 10
        while true {
            let header = bytes[offset]
            let length = Int(bytes[offset + 1]) | Int(bytes[offset + 2]) << 8
            tar += bytes[(offset + 5)..<(offset + 5 + length)]
            offset += 5 + length
            if header & 1 == 1 { break }
        }
        var files: [(name: String, contents: Data)] = []
        var position = 0
        while position + 512 <= tar.count, tar[position] != 0 {
            let block = tar[position..<(position + 512)]
            let name = String(decoding: block.prefix(100).prefix { $0 != 0 }, as: UTF8.self)
            let sizeText = String(decoding: block.dropFirst(124).prefix(11), as: UTF8.self)
            let size = Int(sizeText, radix: 8) ?? 0
            files.append((name, Data(tar[(position + 512)..<(position + 512 + size)])))
            position += 512 + (size + 511) / 512 * 512
        }
        return files
    }
}

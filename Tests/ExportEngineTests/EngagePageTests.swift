import Foundation
import SimCore
import Testing
@testable import ExportEngine

/// The `/engage` page decoder reads what decoding the whole document would give.
@Suite(.timeLimit(.minutes(2))) struct EngagePageTests {
    /// What the engine read before it decoded pages itself: the whole document as a ``JSONValue``.
    private static func viaJSONValue(_ text: String) -> EngagePage? {
        guard let page = try? JSONValue(parsing: text), case .object = page else { return nil }
        var expected = try! #require(EngagePage(Data(#"{"results":[]}"#.utf8)))
        expected.profiles = (page["results"]?.arrayValue ?? []).map { result in
            let id = result["$distinct_id"]?.stringValue ?? result["$distinct_id"]?.intValue.map(String.init) ?? ""
            return EngageProfile(distinctID: id, properties: result["$properties"]?.objectValue ?? [:])
        }
        expected.pageSize = page["page_size"]?.intValue.map(Int.init)
        expected.sessionID = page["session_id"]?.stringValue
        expected.total = page["total"]?.intValue.map(Int.init)
        return expected
    }

    @Test func generatedPagesDecodeAsTheWholeDocumentWould() throws {
        var generator = SeededGenerator(seed: 3, stream: "engage-page")
        let values: [JSONValue] = ["a@x.io", " B@X.io ", 42, .double(2.5), nil, true, ["nested": ["$email": "no"]], ["x"], "é\"\\"]
        for _ in 0..<300 {
            var results: [JSONValue] = []
            for n in 0..<Int.random(in: 0..<6, using: &generator) {
                if Int.random(in: 0..<10, using: &generator) == 0 { results.append("not an object"); continue }
                var properties: [String: JSONValue] = [:]
                for key in ["$email", "$first_name", "$last_name", "$user_id", "$last_seen", "plan"] where Bool.random(using: &generator) {
                    properties[key] = values.randomElement(using: &generator)!
                }
                let id: JSONValue = Bool.random(using: &generator) ? .string("u\(n)") : .int(Int64(n))
                results.append(["$distinct_id": id, "$properties": .object(properties)])
            }
            var page: [String: JSONValue] = ["results": .array(results), "status": "ok", "total": 5]
            if Bool.random(using: &generator) { page["page_size"] = 1000 }
            if Bool.random(using: &generator) { page["session_id"] = "1700000000-ABC" }
            let text = JSONValue.object(page).canonicalText
            #expect(EngagePage(Data(text.utf8)) == Self.viaJSONValue(text), "\(text)")
        }
    }

    @Test func whiteSpaceAndMissingFieldsAreTolerated() throws {
        let text = #" { "results" : [ { "$properties" : { "$email" : "a@x.io" } , "$distinct_id" : "a" } ] } "#
        let page = try #require(EngagePage(Data(text.utf8)))
        #expect(page == Self.viaJSONValue(text))
        #expect(page.profiles == [EngageProfile(distinctID: "a", hasProperties: true, email: "a@x.io")])
        #expect(page.pageSize == nil && page.sessionID == nil)
        #expect(EngagePage(Data(#"{"results":null}"#.utf8))?.profiles == [])
    }

    @Test(arguments: ["<html>502</html>", "", "[]", #"{"results":[{"$properties":{"$email":"\x"}}]}"#,
                      #"{"results":[{"$distinct_id":"a",}]}"#, #"{"results":[1,]}"#,
                      // A session id or page size that is not JSON fails the page, never reads as absent.
                      #"{"results":[],"session_id":"\q"}"#, #"{"results":[],"page_size":1.}"#])
    func malformedPagesAreRefused(_ text: String) {
        #expect(EngagePage(Data(text.utf8)) == nil)
    }
}

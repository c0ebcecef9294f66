import Foundation
import SimCore
import SimHTTP

/// Reads the events of an ingestion request body: form `data=<json>` or `data=<base64 json>`,
/// a JSON array or object, or NDJSON (one event per line).
enum PayloadDecoder {
    /// A body that could not be read, with the reason.
    struct Failure: Error, Equatable {
        var message: String
    }

    /// The decoded events, and whether the body was a form (which picks `/import`'s reply shape, A26).
    struct Payload {
        var events: [JSONValue]
        var isForm: Bool
    }

    static func isForm(_ request: HTTPRequest) -> Bool {
        (request.headers["Content-Type"] ?? "").lowercased().contains("x-www-form-urlencoded")
    }

    /// The body after `Content-Encoding` (identity or gzip).
    static func body(_ request: HTTPRequest) -> Result<Data, Failure> {
        let encoding = (request.headers["Content-Encoding"] ?? "identity").lowercased().trimmingWhitespace()
        switch encoding {
        case "identity", "":
            return .success(request.body)
        case "gzip":
            do { return .success(try Gzip.decompress(request.body)) } catch let failure as Gzip.Failure {
                return .failure(Failure(message: failure.message))
            } catch {
                return .failure(Failure(message: "\(error)"))
            }
        default:
            return .failure(Failure(message: "Content-Encoding '\(encoding)' is not supported; send identity or gzip"))
        }
    }

    static func decode(_ request: HTTPRequest, body: Data) -> Result<Payload, Failure> {
        let form = isForm(request) || (!body.isEmpty && body.first != UInt8(ascii: "[") && body.first != UInt8(ascii: "{"))
        var payload = body
        if form {
            let items = URLCoding.decodeForm(String(decoding: body, as: UTF8.self))
            guard let data = items.first(where: { $0.name == "data" })?.value, !data.isEmpty else {
                return .failure(Failure(message: "data, missing or empty"))
            }
            payload = Data(data.utf8)
            if let first = data.first, first != "[" && first != "{", let decoded = Data(base64Encoded: data) { payload = decoded }
        }
        guard let events = parse(payload) else { return .failure(Failure(message: "unable to parse the body as a JSON array, a JSON object or NDJSON")) }
        guard !events.isEmpty else { return .failure(Failure(message: "no events in the request body")) }
        return .success(Payload(events: events, isForm: isForm(request) || form))
    }

    /// A JSON array, one JSON object, or NDJSON.
    private static func parse(_ data: Data) -> [JSONValue]? {
        if let value = try? JSONValue(parsing: data) {
            if let list = value.arrayValue { return list }
            return value.objectValue == nil ? nil : [value]
        }
        var events: [JSONValue] = []
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) where !String(line).trimmingWhitespace().isEmpty {
            guard let value = try? JSONValue(parsing: String(line)), value.objectValue != nil else { return nil }
            events.append(value)
        }
        return events
    }
}

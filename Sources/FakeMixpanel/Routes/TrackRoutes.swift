import Foundation
import SimCore
import SimHTTP

/// `POST /track` (§5.3): events with the project token in `properties.token`, from the last 5
/// days; form `data=` or a JSON array alike (A24). Replies `1`/`0`, or with `verbose=1`
/// `{"status": 1|0, "error": null|"<first error>"}`. `img` and `callback` are ignored.
enum TrackRoutes {
    static func register(in routes: inout RouteTable<FakeMixpanel>) {
        routes.on("POST", "/track") { fake, request, _ in try track(fake, request) }
        routes.on("GET", "/track") { fake, request, _ in try track(fake, request) }
    }

    private static func track(_ fake: FakeMixpanel, _ request: HTTPRequest) throws -> HTTPResponse {
        let verbose = EngageQueryRoutes.parameters(request)["verbose"] == "1"  // SDKs send it in the form body
        func reply(_ error: String?) -> HTTPResponse {
            if verbose { return .json(["status": error == nil ? 1 : 0, "error": error.map { .string($0) } ?? .null]) }
            return .text(error == nil ? "1" : "0")
        }
        var source = request
        if request.method == "GET", let data = request.queryValue("data") {
            source.body = Data(("data=" + URLCoding.encodeComponent(data)).utf8)
            source.headers.set("Content-Type", "application/x-www-form-urlencoded")
        }
        let payload: PayloadDecoder.Payload
        switch PayloadDecoder.body(source).flatMap({ PayloadDecoder.decode(source, body: $0) }) {
        case .failure(let failure): return reply(failure.message)
        case .success(let value): payload = value
        }
        let limit = fake.ingestionSettings.maxEventsPerRequest
        guard payload.events.count <= limit else { return reply("too many events: at most \(limit) per request") }
        let results = try fake.ingest(raw: payload.events, rules: .track)
        let valid = results.filter(\.accepted).count
        let ok = fake.ingestionSettings.trackOneMeansAnyValid ? valid > 0 : valid == results.count
        return reply(ok ? nil : results.first { !$0.accepted }?.failure?.message)
    }
}

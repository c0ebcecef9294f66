import Foundation
import SimCore
import SimHTTP
import Yams

/// `serve`'s admin API (WireMock's `/__admin` is the model), on its own loopback-only port:
/// read and clear the request journal, add and clear faults, move the clock on, reset.
///
/// | Route | Does |
/// |---|---|
/// | `GET /__admin/requests[?service=mailchimp]` | the journal, `{"requests": [...]}` |
/// | `DELETE /__admin/requests` | empties the journal |
/// | `GET /__admin/faults` | rules in force and their hits per service |
/// | `POST /__admin/faults` | `{"mailchimp": [rule…], "mixpanel": [rule…]}`, rules as in a scenario's `faults` |
/// | `DELETE /__admin/faults` | removes every rule, the scenario's too |
/// | `GET /__admin/clock` | `{"now": …, "advanced_ms": …}` |
/// | `POST /__admin/clock/advance` | `{"by": "2h"}`: time moves on; due batches and windows follow |
/// | `POST /__admin/reset` | the scenario's initial state: fresh fakes, its faults, clock and journal reset |
struct ServeAdmin: HTTPHandler {
    let state: ServeState
    private static let routes: RouteTable<ServeState> = {
        var routes = RouteTable<ServeState>()
        routes.on("GET", "/__admin/requests") { state, request, _ in try requests(state, request) }
        routes.on("DELETE", "/__admin/requests") { state, _, _ in .json(["cleared": .int(Int64(state.clearJournal()))]) }
        routes.on("GET", "/__admin/faults") { state, _, _ in faults(state) }
        routes.on("POST", "/__admin/faults") { state, request, _ in try addFaults(state, request) }
        routes.on("DELETE", "/__admin/faults") { state, _, _ in
            for service in ServedService.allCases { state.faultPlan(service).clear() }
            return faults(state)
        }
        routes.on("GET", "/__admin/clock") { state, _, _ in clock(state) }
        routes.on("POST", "/__admin/clock/advance") { state, request, _ in try advance(state, request) }
        routes.on("POST", "/__admin/reset") { state, _, _ in
            try state.reset()
            return .json(["reset": .bool(true), "now": .string(state.clock.now.iso8601)])
        }
        return routes
    }()

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        switch Self.routes.match(method: request.method, path: request.path) {
        case .found(let handler, let parameters):
            do { return try await handler(state, request, parameters) } catch let error as AdminError {
                return .json(["error": .string(error.message)], status: 400)
            } catch {
                return .json(["error": .string("\(error)")], status: 400)
            }
        case .methodNotAllowed, .notFound:
            var response = HTTPResponse.json(["error": .string("no admin route \(request.method) \(request.path)")], status: 404)
            if let nearest = Self.routes.nearest(method: request.method, path: request.path) { response.headers.set(nearestRouteHeader, nearest) }
            return response
        }
    }

    private static func requests(_ state: ServeState, _ request: HTTPRequest) throws -> HTTPResponse {
        let service = try request.queryValue("service").map { name in
            guard let service = ServedService(rawValue: name) else { throw AdminError("service must be mailchimp or mixpanel, found '\(name)'") }
            return service
        }
        return .json(["requests": .array(state.requests(of: service).map(\.json))])
    }

    private static func faults(_ state: ServeState) -> HTTPResponse {
        var object: [String: JSONValue] = [:]
        for service in ServedService.allCases {
            let plan = state.faultPlan(service)
            object[service.rawValue] = ["rules": .int(Int64(plan.rules.count)), "hits": .array(plan.hitCounts().map { .int(Int64($0)) })]
        }
        return .json(.object(object))
    }

    /// Rules as in a scenario's `faults`; an offset (`10m`) counts from now, an ISO time is
    /// scenario time and moves with the scenario's windows.
    private static func addFaults(_ state: ServeState, _ request: HTTPRequest) throws -> HTTPResponse {
        let map = try body(request).mapping(allowed: ServedService.allCases.map(\.rawValue))
        let shift = state.fakes.shift
        let scenarioNow = state.clock.now.adding(SimDuration(milliseconds: -shift.milliseconds))
        var parsed: [(ServedService, [FaultRule])] = []
        for service in ServedService.allCases {
            guard let node = map[service.rawValue] else { continue }
            parsed.append((service, ServeState.moved(try WorldOptionsParser.faults(node, start: scenarioNow), by: shift)))
        }
        for (service, rules) in parsed { state.faultPlan(service).add(rules) }
        return faults(state)
    }

    private static func clock(_ state: ServeState) -> HTTPResponse {
        .json(["now": .string(state.clock.now.iso8601), "advanced_ms": .int(state.clock.advanced.milliseconds)])
    }

    private static func advance(_ state: ServeState, _ request: HTTPRequest) throws -> HTTPResponse {
        let map = try body(request).mapping(allowed: ["by"])
        let by = try map.required("by").duration()
        guard by > .zero else { throw AdminError("by must be a positive duration such as 30s, 15m or 2h") }
        state.clock.advance(by: by)
        return clock(state)
    }

    /// The request body as a YAML node (JSON is YAML); errors name the line and column.
    private static func body(_ request: HTTPRequest) throws -> YAMLNode {
        let text = String(decoding: request.body, as: UTF8.self)
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch { throw AdminError("the body is not JSON or YAML: \(error)") }
        guard let node else { throw AdminError("the request needs a JSON body") }
        return YAMLNode(node: node, file: "\(request.method) \(request.path)", path: "body")
    }
}

/// Why an admin request was refused (answered 400 with `{"error": …}`).
struct AdminError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

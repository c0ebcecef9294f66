import FakeMailchimp
import FakeMixpanel
import SimCore
import SimHTTP
import Synchronization

/// Which fake a served request went to.
public enum ServedService: String, Sendable, CaseIterable {
    case mailchimp, mixpanel
}

/// One request `serve` answered, as the admin API's journal lists it.
public struct ServedRequest: Sendable, Equatable {
    public var time: SimTime
    public var end: SimTime
    public var service: ServedService
    public var method: String
    public var path: String
    /// The status, or `dropped` when the answer was a closed connection.
    public var outcome: String
    /// For a request no route serves: the nearest known route.
    public var nearestRoute: String?

    var json: JSONValue {
        var object: [String: JSONValue] = ["time": .string(time.iso8601), "end": .string(end.iso8601), "service": .string(service.rawValue),
                                           "method": .string(method), "path": .string(path), "outcome": .string(outcome)]
        if let nearestRoute { object["nearest_route"] = .string(nearestRoute) }
        return .object(object)
    }
}

/// The header `serve` adds to a 404 for a path no route serves, naming the nearest known route
/// (`GET /3.0/lists/{list}`). The body stays the real service's 404, so clients are not confused.
public let nearestRouteHeader = "X-CohortSim-Nearest-Route"

/// What `cohortsim serve` serves and controls: the scenario's fakes (replaced on reset), the
/// journal of requests, and the clock the admin API moves.
final class ServeState: Sendable {
    /// The fakes in service, and how far their scenario windows were moved.
    struct Current: Sendable {
        let mailchimp: FakeMailchimp
        let mixpanel: FakeMixpanel
        /// Scenario time + shift = serve time.
        let shift: SimDuration
    }

    let scenario: Scenario
    let clock: ServeClock
    private let current: Mutex<Current>
    private let journal = Mutex<[ServedRequest]>([])

    /// Serves `initial` (a played world's fakes, whose windows keep their scenario times) or, when
    /// `nil`, fresh fakes from the scenario with their windows moved to start now.
    init(scenario: Scenario, clock: ServeClock, initial: Current? = nil) throws {
        self.scenario = scenario
        self.clock = clock
        current = Mutex(try initial ?? Self.makeFakes(scenario: scenario, clock: clock))
    }

    var fakes: Current { current.withLock { $0 } }

    /// Answers `request` with the fake of `service`, journals it, and names the nearest route on a
    /// 404 for a path no route serves.
    func handle(_ service: ServedService, _ request: HTTPRequest) async -> HTTPResponse {
        let fakes = self.fakes
        let start = clock.now
        var response: HTTPResponse
        var nearest: String?
        switch service {
        case .mailchimp:
            response = await fakes.mailchimp.handle(request)
            if response.status == 404 { nearest = fakes.mailchimp.nearestRoute(method: request.method, path: request.path) }
        case .mixpanel:
            response = await fakes.mixpanel.handle(request)
            if response.status == 404 { nearest = fakes.mixpanel.nearestRoute(method: request.method, path: request.path) }
        }
        if let nearest { response.headers.set(nearestRouteHeader, nearest) }
        let outcome = response.headers[connectionFaultHeader] != nil ? "dropped" : String(response.status)
        let entry = ServedRequest(time: start, end: clock.now, service: service, method: request.method, path: request.path,
                                  outcome: outcome, nearestRoute: nearest)
        journal.withLock { $0.append(entry) }
        return response
    }

    /// The journal, in arrival order of the answers; `service` keeps one fake's requests.
    func requests(of service: ServedService? = nil) -> [ServedRequest] {
        journal.withLock { entries in entries.filter { service == nil || $0.service == service } }
    }

    /// Empties the journal; returns how many entries it held.
    func clearJournal() -> Int {
        journal.withLock { entries in
            defer { entries = [] }
            return entries.count
        }
    }

    /// The fault plan of `service`'s fake.
    func faultPlan(_ service: ServedService) -> FaultInjector {
        switch service {
        case .mailchimp: fakes.mailchimp.faultPlan
        case .mixpanel: fakes.mixpanel.faultPlan
        }
    }

    /// Back to the scenario's initial state: fresh fakes with the scenario's faults (windows moved
    /// to now), the clock's advance undone, an empty journal. After `serve --play` this is the
    /// world before its steps, not the played one (steps are not played again).
    func reset() throws {
        clock.resetOffset()
        let fresh = try Self.makeFakes(scenario: scenario, clock: clock)
        current.withLock { $0 = fresh }
        _ = clearJournal()
    }

    /// The fakes seeded from `scenario`'s world, with its faults, limits, latency and switches.
    /// Windows are written in scenario time: they are moved to start now.
    static func makeFakes(scenario: Scenario, clock: any SimClock) throws -> Current {
        let shift = clock.now.duration(since: scenario.start)
        let otherClients = scenario.mailchimpOtherClients.map { load in
            OtherClientLoad(connections: load.connections, from: load.from?.adding(shift), until: load.until?.adding(shift))
        }
        let mailchimp = try FakeMailchimp(world: scenario.mailchimp, seed: scenario.seed, clock: clock,
                                          faults: moved(scenario.mailchimpFaults, by: shift),
                                          latency: moved(scenario.mailchimpLatency, by: shift), otherClients: otherClients)
        let mixpanel = try FakeMixpanel(world: scenario.mixpanel, seed: scenario.seed, clock: clock, identity: scenario.mixpanelOptions.identity,
                                        mtu: scenario.mixpanelOptions.mtu, query: scenario.mixpanelOptions.query,
                                        faults: moved(scenario.mixpanelOptions.faults, by: shift),
                                        latency: moved(scenario.mixpanelOptions.latency, by: shift))
        return Current(mailchimp: mailchimp, mixpanel: mixpanel, shift: shift)
    }

    static func moved(_ rules: [FaultRule], by shift: SimDuration) -> [FaultRule] {
        rules.map { rule in
            var rule = rule
            rule.from = rule.from?.adding(shift)
            rule.until = rule.until?.adding(shift)
            return rule
        }
    }

    static func moved(_ model: LatencyModel, by shift: SimDuration) -> LatencyModel {
        LatencyModel(rules: model.rules.map { rule in
            var rule = rule
            rule.from = rule.from?.adding(shift)
            rule.until = rule.until?.adding(shift)
            return rule
        })
    }
}

/// One fake as `serve` serves it: through ``ServeState``, so resets and the journal apply.
struct ServedFake: HTTPHandler {
    let state: ServeState
    let service: ServedService

    func handle(_ request: HTTPRequest) async -> HTTPResponse { await state.handle(service, request) }
}

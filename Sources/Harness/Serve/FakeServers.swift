import FakeMailchimp
import FakeMixpanel
import SimCore
import SimHTTP
import SimHTTPServer

/// Both fakes of a scenario's world served over HTTP, for real clients (`cohortsim serve`), with
/// the admin API (``ServeAdmin``) on a third port that is always bound to 127.0.0.1.
public struct FakeServers: Sendable {
    public let mailchimpServer: LoopbackServer
    public let mixpanelServer: LoopbackServer
    /// The admin API's server: loopback only, whatever `host` the fakes are bound to.
    public let adminServer: LoopbackServer
    public let scenario: Scenario
    /// The clock the fakes run on: `clock` given to ``start(scenario:clock:host:mailchimpPort:mixpanelPort:adminPort:allowNonLoopback:)``
    /// plus what the admin API has advanced.
    public var clock: ServeClock { state.clock }
    /// The played timeline, when `serve` played steps before serving.
    public let played: PlayedWorld?
    let state: ServeState

    /// Starts the fakes seeded from `scenario`'s world on `host` (loopback unless
    /// `allowNonLoopback`) and the admin API on 127.0.0.1 (`adminPort` 0: an ephemeral port).
    public static func start(scenario: Scenario, clock: any SimClock, host: String = "127.0.0.1",
                             mailchimpPort: Int = 0, mixpanelPort: Int = 0, adminPort: Int = 0,
                             allowNonLoopback: Bool = false) async throws -> FakeServers {
        // The scenario's faults, limits, latency and switches apply as in a replay (on the real
        // clock, latency is real waiting), windows moved to start when the server does.
        let state = try ServeState(scenario: scenario, clock: ServeClock(base: clock))
        return try await bind(state: state, played: nil, host: host, mailchimpPort: mailchimpPort, mixpanelPort: mixpanelPort,
                              adminPort: adminPort, allowNonLoopback: allowNonLoopback)
    }

    /// Serves the fakes of a world whose timeline was played (``ScenarioRunner/play(_:untilStep:)``).
    /// Their clock is handed over to real time from the instant the last played step reached, so
    /// the scenario's fault and limit windows keep their scenario times (nothing is moved).
    public static func start(played: PlayedWorld, host: String = "127.0.0.1", mailchimpPort: Int = 0, mixpanelPort: Int = 0,
                             adminPort: Int = 0, allowNonLoopback: Bool = false) async throws -> FakeServers {
        played.clock.handOff()
        do {
            let initial = ServeState.Current(mailchimp: played.mailchimp, mixpanel: played.mixpanel, shift: .zero)
            let state = try ServeState(scenario: played.scenario, clock: ServeClock(base: played.clock), initial: initial)
            return try await bind(state: state, played: played, host: host, mailchimpPort: mailchimpPort, mixpanelPort: mixpanelPort,
                                  adminPort: adminPort, allowNonLoopback: allowNonLoopback)
        } catch {
            played.clock.stop()
            throw error
        }
    }

    private static func bind(state: ServeState, played: PlayedWorld?, host: String, mailchimpPort: Int, mixpanelPort: Int,
                             adminPort: Int, allowNonLoopback: Bool) async throws -> FakeServers {
        var started: [LoopbackServer] = []
        do {
            started.append(try await LoopbackServer.start(handler: ServedFake(state: state, service: .mailchimp), host: host,
                                                          port: mailchimpPort, allowNonLoopback: allowNonLoopback))
            started.append(try await LoopbackServer.start(handler: ServedFake(state: state, service: .mixpanel), host: host,
                                                          port: mixpanelPort, allowNonLoopback: allowNonLoopback))
            started.append(try await LoopbackServer.start(handler: ServeAdmin(state: state), host: "127.0.0.1", port: adminPort))
        } catch {
            for server in started { await server.stop() }
            throw error
        }
        return FakeServers(mailchimpServer: started[0], mixpanelServer: started[1], adminServer: started[2],
                           scenario: state.scenario, played: played, state: state)
    }

    public func stop() async {
        await mailchimpServer.stop()
        await mixpanelServer.stop()
        await adminServer.stop()
        played?.clock.stop()
    }

    /// What a client needs to talk to the fakes and the admin API, as one JSON object.
    public func description() throws -> JSONValue {
        let fakes = state.fakes
        let audiences = try fakes.mailchimp.dump().map { JSONValue.object(["id": .string($0.id), "name": .string($0.name)]) }
        let cohorts = try fakes.mixpanel.cohorts().map { JSONValue.object(["id": .int($0.id), "name": .string($0.name)]) }
        let account = scenario.mixpanel.serviceAccounts.first
        var info: [String: JSONValue] = [
            "mailchimp": ["base_url": .string(mailchimpServer.baseURL + "/3.0"), "api_key": .string(scenario.mailchimp.apiKey),
                          "audiences": .array(audiences)],
            "mixpanel": ["ingest_url": .string(mixpanelServer.baseURL), "query_url": .string(mixpanelServer.baseURL + "/api"),
                         "project_id": .int(scenario.mixpanel.projectID), "token": .string(scenario.mixpanel.token),
                         "service_account": ["username": .string(account?.username ?? ""), "secret": .string(account?.secret ?? "")],
                         "cohorts": .array(cohorts)],
            "admin": ["url": .string(adminServer.baseURL + "/__admin")],
        ]
        if let played {
            info["played"] = ["steps": .int(Int64(played.stepsPlayed)), "of": .int(Int64(scenario.steps.count)),
                              "scenario_time": .string(played.end.description),
                              "timeline": .array(played.timeline.map { .string($0) }),
                              "expectation_failures": .array(played.expectationFailures.map { .string($0) })]
        }
        return .object(info)
    }
}

import FakeMailchimp
import FakeMixpanel
import SimCore
import SimHTTP
import SimHTTPServer

/// Both fakes of a scenario's world served over HTTP, for real clients (`cohortsim serve`).
public struct FakeServers: Sendable {
    public let mailchimpServer: LoopbackServer
    public let mixpanelServer: LoopbackServer
    public let scenario: Scenario
    let mailchimp: FakeMailchimp
    let mixpanel: FakeMixpanel
    /// The played timeline, when `serve` played steps before serving.
    public let played: PlayedWorld?

    /// Starts the fakes seeded from `scenario`'s world on `host` (loopback unless `allowNonLoopback`).
    public static func start(scenario: Scenario, clock: any SimClock, host: String = "127.0.0.1",
                             mailchimpPort: Int = 0, mixpanelPort: Int = 0, allowNonLoopback: Bool = false) async throws -> FakeServers {
        // The scenario's faults, limits, latency and switches apply as in a replay (on the real
        // clock, latency is real waiting). Windows are written in scenario time: they are moved
        // to start when the server does.
        let shift = clock.now.duration(since: scenario.start)
        func moved(_ rules: [FaultRule]) -> [FaultRule] {
            rules.map { rule in
                var rule = rule
                rule.from = rule.from?.adding(shift)
                rule.until = rule.until?.adding(shift)
                return rule
            }
        }
        func movedLatency(_ model: LatencyModel) -> LatencyModel {
            LatencyModel(rules: model.rules.map { rule in
                var rule = rule
                rule.from = rule.from?.adding(shift)
                rule.until = rule.until?.adding(shift)
                return rule
            })
        }
        let otherClients = scenario.mailchimpOtherClients.map { load in
            OtherClientLoad(connections: load.connections, from: load.from?.adding(shift), until: load.until?.adding(shift))
        }
        let mailchimp = try FakeMailchimp(world: scenario.mailchimp, seed: scenario.seed, clock: clock, faults: moved(scenario.mailchimpFaults),
                                          latency: movedLatency(scenario.mailchimpLatency), otherClients: otherClients)
        let mixpanel = try FakeMixpanel(world: scenario.mixpanel, seed: scenario.seed, clock: clock, identity: scenario.mixpanelOptions.identity,
                                        mtu: scenario.mixpanelOptions.mtu, query: scenario.mixpanelOptions.query,
                                        faults: moved(scenario.mixpanelOptions.faults), latency: movedLatency(scenario.mixpanelOptions.latency))
        return try await bind(scenario: scenario, mailchimp: mailchimp, mixpanel: mixpanel, played: nil, host: host,
                              mailchimpPort: mailchimpPort, mixpanelPort: mixpanelPort, allowNonLoopback: allowNonLoopback)
    }

    /// Serves the fakes of a world whose timeline was played (``ScenarioRunner/play(_:untilStep:)``).
    /// Their clock is handed over to real time from the instant the last played step reached, so
    /// the scenario's fault and limit windows keep their scenario times (nothing is moved).
    public static func start(played: PlayedWorld, host: String = "127.0.0.1", mailchimpPort: Int = 0, mixpanelPort: Int = 0,
                             allowNonLoopback: Bool = false) async throws -> FakeServers {
        played.clock.handOff()
        do {
            return try await bind(scenario: played.scenario, mailchimp: played.mailchimp, mixpanel: played.mixpanel, played: played,
                                  host: host, mailchimpPort: mailchimpPort, mixpanelPort: mixpanelPort, allowNonLoopback: allowNonLoopback)
        } catch {
            played.clock.stop()
            throw error
        }
    }

    private static func bind(scenario: Scenario, mailchimp: FakeMailchimp, mixpanel: FakeMixpanel, played: PlayedWorld?, host: String,
                             mailchimpPort: Int, mixpanelPort: Int, allowNonLoopback: Bool) async throws -> FakeServers {
        let mailchimpServer = try await LoopbackServer.start(handler: mailchimp, host: host, port: mailchimpPort, allowNonLoopback: allowNonLoopback)
        do {
            let mixpanelServer = try await LoopbackServer.start(handler: mixpanel, host: host, port: mixpanelPort, allowNonLoopback: allowNonLoopback)
            return FakeServers(mailchimpServer: mailchimpServer, mixpanelServer: mixpanelServer, scenario: scenario,
                               mailchimp: mailchimp, mixpanel: mixpanel, played: played)
        } catch {
            await mailchimpServer.stop()
            throw error
        }
    }

    public func stop() async {
        await mailchimpServer.stop()
        await mixpanelServer.stop()
        played?.clock.stop()
    }

    /// What a client needs to talk to the fakes, as one JSON object.
    public func description() throws -> JSONValue {
        let audiences = try mailchimp.dump().map { JSONValue.object(["id": .string($0.id), "name": .string($0.name)]) }
        let cohorts = try mixpanel.cohorts().map { JSONValue.object(["id": .int($0.id), "name": .string($0.name)]) }
        let account = scenario.mixpanel.serviceAccounts.first
        var info: [String: JSONValue] = [
            "mailchimp": ["base_url": .string(mailchimpServer.baseURL + "/3.0"), "api_key": .string(scenario.mailchimp.apiKey),
                          "audiences": .array(audiences)],
            "mixpanel": ["ingest_url": .string(mixpanelServer.baseURL), "query_url": .string(mixpanelServer.baseURL + "/api"),
                         "project_id": .int(scenario.mixpanel.projectID), "token": .string(scenario.mixpanel.token),
                         "service_account": ["username": .string(account?.username ?? ""), "secret": .string(account?.secret ?? "")],
                         "cohorts": .array(cohorts)],
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

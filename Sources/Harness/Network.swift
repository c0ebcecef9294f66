import FakeMailchimp
import FakeMixpanel
import SimCore
import SimHTTP
import SimHTTPClient
import SimHTTPServer

/// The two fakes of one scenario.
struct Fakes: Sendable {
    let mailchimp: FakeMailchimp
    let mixpanel: FakeMixpanel

    /// The fakes of `scenario`'s world; their state is in memory unless `directory` names a
    /// folder for their SQLite files (the benchmark's million-profile worlds).
    init(scenario: Scenario, clock: VirtualClock, directory: String? = nil) throws {
        mailchimp = try FakeMailchimp(world: scenario.mailchimp, seed: scenario.seed, clock: clock,
                                      databasePath: directory.map { $0 + "/mailchimp.sqlite" }, faults: scenario.mailchimpFaults)
        mixpanel = try FakeMixpanel(world: scenario.mixpanel, seed: scenario.seed, clock: clock,
                                    databasePath: directory.map { $0 + "/mixpanel.sqlite" }, mtu: scenario.mixpanelOptions.mtu,
                                    queryRateLimit: scenario.mixpanelOptions.queryRateLimit, faults: scenario.mixpanelOptions.faults)
    }
}

/// How the engine reaches the fakes: addresses, transport and service names for the journal.
struct Network: Sendable {
    static let mixpanelQueryURL = "https://mixpanel.com/api"
    static let mixpanelIngestURL = "https://api.mixpanel.com"

    let transport: any HTTPTransport
    let mailchimpBaseURL: String?
    let mixpanelQueryURL: String
    let mixpanelIngestURL: String
    let serviceName: @Sendable (HTTPRequest) -> String
    let servers: [LoopbackServer]

    static func make(_ mode: TransportMode, fakes: Fakes, simulation: Simulation) async throws -> Network {
        switch mode {
        case .inProcess:
            let mailchimp = fakes.mailchimp, mixpanel = fakes.mixpanel
            let transport = InProcessTransport(timeout: .seconds(120), clock: simulation.clock) { request in
                if request.host.hasSuffix("api.mailchimp.com") { return mailchimp }
                if request.host == "mixpanel.com" || request.host.hasSuffix(".mixpanel.com") { return mixpanel }
                return nil
            }
            return Network(transport: transport, mailchimpBaseURL: nil, mixpanelQueryURL: mixpanelQueryURL,
                           mixpanelIngestURL: mixpanelIngestURL,
                           serviceName: { $0.host.hasSuffix("mailchimp.com") ? "mailchimp" : "mixpanel" }, servers: [])
        case .loopback:
            let mailchimpServer = try await LoopbackServer.start(handler: fakes.mailchimp)
            let mixpanelServer = try await LoopbackServer.start(handler: fakes.mixpanel)
            let mailchimpOrigin = mailchimpServer.baseURL
            return Network(transport: ExternalWorkTransport(base: AsyncHTTPClientTransport(), simulation: simulation),
                           mailchimpBaseURL: mailchimpOrigin + "/3.0", mixpanelQueryURL: mixpanelServer.baseURL + "/api",
                           mixpanelIngestURL: mixpanelServer.baseURL,
                           serviceName: { $0.origin == mailchimpOrigin ? "mailchimp" : "mixpanel" },
                           servers: [mailchimpServer, mixpanelServer])
        }
    }

    func stop() async {
        for server in servers { await server.stop() }
    }
}

/// Tells the simulation that a request is out on a real socket, so it waits for the answer
/// instead of moving virtual time on.
struct ExternalWorkTransport: HTTPTransport {
    let base: any HTTPTransport
    let simulation: Simulation

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        simulation.beginExternal()
        defer { simulation.endExternal() }
        return try await base.send(request)
    }
}

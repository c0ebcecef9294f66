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
    init(scenario: Scenario, clock: any SimClock, directory: String? = nil) throws {
        mailchimp = try FakeMailchimp(world: scenario.mailchimp, seed: scenario.seed, clock: clock,
                                      databasePath: directory.map { $0 + "/mailchimp.sqlite" }, faults: scenario.mailchimpFaults,
                                      latency: scenario.mailchimpLatency, otherClients: scenario.mailchimpOtherClients)
        mixpanel = try FakeMixpanel(world: scenario.mixpanel, seed: scenario.seed, clock: clock,
                                    databasePath: directory.map { $0 + "/mixpanel.sqlite" }, identity: scenario.mixpanelOptions.identity,
                                    mtu: scenario.mixpanelOptions.mtu,
                                    query: scenario.mixpanelOptions.query, faults: scenario.mixpanelOptions.faults,
                                    latency: scenario.mixpanelOptions.latency)
    }
}

/// How the engine reaches the fakes: addresses, transport and service names for the journal.
struct Network: Sendable {
    static let mixpanelQueryURL = "https://mixpanel.com/api"
    static let mixpanelIngestURL = "https://api.mixpanel.com"
    /// How long the engine's client waits for an answer, in virtual time, in either transport
    /// (Mailchimp's documented 120 s request limit).
    static let requestTimeout: SimDuration = .seconds(120)

    let transport: any HTTPTransport
    let mailchimpBaseURL: String?
    let mixpanelQueryURL: String
    let mixpanelIngestURL: String
    let serviceName: @Sendable (HTTPRequest) -> String
    let servers: [LoopbackServer]
    /// The loopback transport's own HTTP client, shut down by ``stop()``.
    var client: AsyncHTTPClientTransport? = nil

    static func make(_ mode: TransportMode, fakes: Fakes, simulation: Simulation) async throws -> Network {
        switch mode {
        case .inProcess:
            let mailchimp = fakes.mailchimp, mixpanel = fakes.mixpanel
            let transport = InProcessTransport(timeout: requestTimeout, clock: simulation.clock, executor: simulation) { request in
                if request.host.hasSuffix("api.mailchimp.com") { return mailchimp }
                if request.host == "mixpanel.com" || request.host.hasSuffix(".mixpanel.com") { return mixpanel }
                return nil
            }
            return Network(transport: transport, mailchimpBaseURL: nil, mixpanelQueryURL: mixpanelQueryURL,
                           mixpanelIngestURL: mixpanelIngestURL,
                           serviceName: { $0.host.hasSuffix("mailchimp.com") ? "mailchimp" : "mixpanel" }, servers: [])
        case .loopback:
            let mailchimpServer = try await LoopbackServer.start(handler: ExternalWorkServer(base: fakes.mailchimp, simulation: simulation))
            let mixpanelServer = try await LoopbackServer.start(handler: ExternalWorkServer(base: fakes.mixpanel, simulation: simulation))
            let mailchimpOrigin = mailchimpServer.baseURL
            // A request queued inside the client's pool would hold virtual time still while the
            // requests it waits for sleep on it: allow far more connections than any limit the
            // engine or the fakes enforce.
            let client = AsyncHTTPClientTransport(connectionsPerHost: 256)
            return Network(transport: ExternalWorkTransport(base: client, simulation: simulation),
                           mailchimpBaseURL: mailchimpOrigin + "/3.0", mixpanelQueryURL: mixpanelServer.baseURL + "/api",
                           mixpanelIngestURL: mixpanelServer.baseURL,
                           serviceName: { $0.origin == mailchimpOrigin ? "mailchimp" : "mixpanel" },
                           servers: [mailchimpServer, mixpanelServer], client: client)
        }
    }

    func stop() async throws {
        try await client?.shutdown()
        for server in servers { await server.stop() }
    }
}

/// Tells the simulation that a request is out on a real socket, so it waits for the answer
/// instead of moving virtual time on, and gives up after ``Network/requestTimeout`` of virtual
/// time, as the in-process transport does. The request carries its ``ExternalWork`` id so the
/// server side (``ExternalWorkServer``) can park it while a fake sleeps on virtual time.
struct ExternalWorkTransport: HTTPTransport {
    let base: any HTTPTransport
    let simulation: Simulation

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let work = simulation.beginExternal()
        defer { work.clientFinished() }
        var tagged = request
        tagged.headers.set(externalWorkHeader, String(work.id))
        let clock = simulation.clock, base = base, outgoing = tagged
        return try await withThrowingTaskGroup(of: HTTPResponse?.self) { group in
            group.addTask { try await base.send(outgoing) }
            group.addTask {
                try await clock.sleep(for: Network.requestTimeout)
                work.clientGivingUp()
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let answer = first else {
                throw TransportError(.timeout, request: "\(request.method) \(request.origin)\(request.path)",
                                     detail: "no response within \(Network.requestTimeout)")
            }
            return answer
        }
    }
}

/// The loopback server's side of ``ExternalWorkTransport``: while a fake handles a request it
/// holds virtual time still, except while the fake sleeps on the virtual clock (the clock parks
/// the request through the task-local ``ExternalWork/current``). The fake runs on the
/// simulation's executor and requests begin in send order. The id header is removed, so the
/// fake sees exactly the request it would see in-process.
struct ExternalWorkServer: HTTPHandler {
    let base: any HTTPHandler
    let simulation: Simulation

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        guard let raw = request.headers[externalWorkHeader], let id = UInt64(raw) else { return await base.handle(request) }
        var inner = request
        inner.headers.remove(externalWorkHeader)
        let work = simulation.externalWork(id: id)
        work.serverStarted()
        defer { work.serverFinished() }
        // The fake runs on the simulation's executor, as in-process, and simultaneous requests
        // begin in the order their clients sent them, whatever order the sockets delivered them.
        await work.awaitTurn()
        let base = base
        return await withTaskExecutorPreference(simulation) {
            work.serverBegan()
            return await ExternalWork.$current.withValue(work) { await base.handle(inner) }
        }
    }
}

import ExportEngine
import FakeMailchimp
import FakeMixpanel
import SimCore
import SimHTTP

/// The benchmarks' world: both fakes with their SQLite files in `directory`, the synthetic
/// profiles streamed in, and an engine reaching the fakes in-process through a journal.
struct BenchRig: Sendable {
    let simulation: Simulation
    let fakes: Fakes
    let engine: ExportEngine
    /// Every request the engine sent, with its start and end on the virtual clock.
    let journal: JournalingTransport

    init(scenario: Scenario, directory: String, profiles: Int, shards: Int = 1, seed: UInt64) async throws {
        simulation = Simulation(start: scenario.start)
        fakes = try Fakes(scenario: scenario, clock: simulation.clock, directory: directory)
        for chunk in stride(from: 0, to: profiles, by: Benchmark.seedChunk) {
            try fakes.mixpanel.addProfiles(Benchmark.profiles(in: chunk..<min(profiles, chunk + Benchmark.seedChunk), shards: shards))
        }
        let network = try await Network.make(.inProcess, fakes: fakes, simulation: simulation)
        journal = JournalingTransport(wrapping: network.transport, clock: simulation.clock, serviceName: network.serviceName)
        let account = scenario.mixpanel.serviceAccounts[0]
        var configuration = EngineConfiguration(
            mixpanel: .init(projectID: scenario.mixpanel.projectID, username: account.username, secret: account.secret,
                            queryURL: network.mixpanelQueryURL, ingestURL: network.mixpanelIngestURL),
            mailchimpBaseURL: network.mailchimpBaseURL)
        configuration.meterSessionPages = scenario.mixpanelOptions.sessionPagesCount
        engine = try ExportEngine(configuration: configuration, transport: journal, clock: simulation.clock,
                                  seed: seed, databasePath: directory + "/engine.sqlite", executor: simulation)
    }
}

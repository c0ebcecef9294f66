import ArgumentParser
import Foundation
import Harness
import SimCore

extension CohortSim {
    /// `cohortsim serve`: the fakes of a scenario's world over HTTP, until SIGINT or SIGTERM.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the fake Mailchimp and fake Mixpanel seeded from a scenario's world, on 127.0.0.1.",
            discussion: "Prints the base URLs and credentials (one JSON line with --json), then serves until SIGINT/SIGTERM. Time runs on the real clock from the moment the server starts; the scenario's faults, MTU and identity switches and rate limits apply, fault windows moved to begin when the server does.\n\nAn admin API on 127.0.0.1 only (its URL is printed, \"admin\" in the JSON line) reads the request journal (GET /__admin/requests), adds and clears faults (POST/DELETE /__admin/faults), advances the clock (POST /__admin/clock/advance {\"by\": \"2h\"}) and resets to the scenario's initial state (POST /__admin/reset). A 404 for a path no route serves carries X-CohortSim-Nearest-Route.\n\nExample:\n  cohortsim serve --scenario scenarios/export/one-time-basic.yaml --mailchimp-port 18081 --mixpanel-port 18082")

        @Option(help: "The scenario whose world seeds the fakes.")
        var scenario: String

        @Option(help: "Port for the fake Mailchimp (0 or absent: an ephemeral port).")
        var mailchimpPort = 0

        @Option(help: "Port for the fake Mixpanel (0 or absent: an ephemeral port).")
        var mixpanelPort = 0

        @Option(help: "Port for the admin API, always on 127.0.0.1 (0 or absent: an ephemeral port).")
        var adminPort = 0

        @Option(help: "Address to bind; anything but a loopback address also needs --allow-non-loopback.")
        var host = "127.0.0.1"

        @Flag(help: "Allow binding a non-loopback address.")
        var allowNonLoopback = false

        @Flag(help: "Print one JSON object on one line instead of text.")
        var json = false

        mutating func run() async throws {
            let parsed: Harness.Scenario
            do { parsed = try ScenarioParser.parse(file: scenario, id: (scenario as NSString).lastPathComponent) } catch {
                throw invalidInput("\(error)")
            }
            let servers: FakeServers
            do {
                servers = try await FakeServers.start(scenario: parsed, clock: SystemClock(), host: host, mailchimpPort: mailchimpPort,
                                                      mixpanelPort: mixpanelPort, adminPort: adminPort, allowNonLoopback: allowNonLoopback)
            } catch {
                throw invalidInput("\(error)")
            }
            let info = try servers.description()
            if json {
                print(info.canonicalText)
            } else {
                print("fake Mailchimp: \(info["mailchimp"]?["base_url"]?.stringValue ?? "")  api key: \(parsed.mailchimp.apiKey)")
                for audience in info["mailchimp"]?["audiences"]?.arrayValue ?? [] {
                    print("  audience \(audience["id"]?.stringValue ?? "")  \(audience["name"]?.stringValue ?? "")")
                }
                print("fake Mixpanel: ingest \(info["mixpanel"]?["ingest_url"]?.stringValue ?? "")  query \(info["mixpanel"]?["query_url"]?.stringValue ?? "")  project \(parsed.mixpanel.projectID)")
                for cohort in info["mixpanel"]?["cohorts"]?.arrayValue ?? [] {
                    print("  cohort \(cohort["id"]?.intValue ?? 0)  \(cohort["name"]?.stringValue ?? "")")
                }
                print("admin API: \(info["admin"]?["url"]?.stringValue ?? "")  (journal, faults, clock, reset; loopback only)")
                print("Serving until interrupted (Ctrl-C).")
            }
            fflush(nil)
            let signal = await waitForTerminationSignal()
            await servers.stop()
            if !json { print("Stopped (\(signal)).") }
        }
    }
}

/// Suspends until SIGINT or SIGTERM arrives; returns its name.
func waitForTerminationSignal() async -> String {
    let (stream, continuation) = AsyncStream<String>.makeStream()
    var sources: [any DispatchSourceSignal] = []
    for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { continuation.yield(name) }
        source.resume()
        sources.append(source)
    }
    var iterator = stream.makeAsyncIterator()
    let name = await iterator.next() ?? "end"
    for source in sources { source.cancel() }
    return name
}

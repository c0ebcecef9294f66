import ArgumentParser
import Foundation
import Harness
import SimCore
import SimProxy

extension CohortSim {
    /// `cohortsim serve`: the fakes of a scenario's world over HTTP, until SIGINT or SIGTERM.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the fake Mailchimp and fake Mixpanel seeded from a scenario's world, on 127.0.0.1.",
            discussion: "Prints the base URLs and credentials (one JSON line with --json), then serves until SIGINT/SIGTERM. Without --play or --until-step, time runs on the real clock from the moment the server starts; the scenario's faults, MTU and identity switches and rate limits apply, fault windows moved to begin when the server does.\n\nWith --play (every step) or --until-step N (steps 1 to N), the scenario's timeline is first played on the virtual clock exactly as `cohortsim run` plays it (the real engine carries out its exports and syncs; campaigns, activity, profile changes and tracked events happen), then the server starts and time carries on in real time from the scenario time the last step reached, so fault windows keep their scenario times. The JSON line's \"played\" object names the steps played, the scenario time and the timeline.\n\nWith --proxy PORT, an HTTPS forward proxy on 127.0.0.1:PORT routes the real hosts (<dc>.api.mailchimp.com; mixpanel.com, api., data. and their EU and India variants) to the fakes and refuses every other host; TLS is terminated with a certificate authority made for this run, written to --proxy-ca-file (named in the JSON line's \"proxy\" object). An unmodified client then needs only HTTPS_PROXY and that CA file.\n\nAn admin API on 127.0.0.1 only (its URL is printed, \"admin\" in the JSON line) reads the request journal (GET /__admin/requests), adds and clears faults (POST/DELETE /__admin/faults), advances the clock (POST /__admin/clock/advance {\"by\": \"2h\"}) and resets to the scenario's initial state (POST /__admin/reset; after --play, the world before its steps). A 404 for a path no route serves carries X-CohortSim-Nearest-Route.\n\nExample:\n  cohortsim serve --scenario scenarios/export/one-time-basic.yaml --mailchimp-port 18081 --mixpanel-port 18082\n  cohortsim serve --scenario scenarios/compliance/hard-bounce-cleans-contact.yaml --play --json\n  cohortsim serve --scenario scenarios/compliance/hard-bounce-cleans-contact.yaml --play --proxy 18443 --proxy-ca-file /tmp/cohortsim-ca.pem")

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

        @Flag(help: "Play the scenario's whole timeline on the virtual clock before serving.")
        var play = false

        @Option(help: "Play steps 1 to N of the scenario's timeline on the virtual clock before serving (0: none, but time stays on the scenario's clock).")
        var untilStep: Int?

        @Option(help: "Also run an HTTPS forward proxy on 127.0.0.1:PORT (0: an ephemeral port) that routes the real Mailchimp and Mixpanel hosts to the fakes and refuses every other host.")
        var proxy: Int?

        @Option(help: "Where --proxy writes its per-run CA certificate (PEM); default: a file in the temporary folder.")
        var proxyCAFile: String?

        func validate() throws {
            if let proxy, !(0...65535).contains(proxy) { throw ValidationError("--proxy must be a port, 0 to 65535, not \(proxy).") }
            if proxyCAFile != nil && proxy == nil { throw ValidationError("--proxy-ca-file needs --proxy.") }
            if play && untilStep != nil { throw ValidationError("Give --play or --until-step, not both.") }
            if let untilStep, untilStep < 0 { throw ValidationError("--until-step must be 0 or more, not \(untilStep).") }
        }

        mutating func run() async throws {
            let parsed: Harness.Scenario
            do { parsed = try ScenarioParser.parse(file: scenario, id: (scenario as NSString).lastPathComponent) } catch {
                throw invalidInput("\(error)")
            }
            let servers: FakeServers
            do {
                if play || untilStep != nil {
                    let played = try await ScenarioRunner.play(parsed, untilStep: untilStep)
                    servers = try await FakeServers.start(played: played, host: host, mailchimpPort: mailchimpPort,
                                                          mixpanelPort: mixpanelPort, adminPort: adminPort, allowNonLoopback: allowNonLoopback)
                } else {
                    servers = try await FakeServers.start(scenario: parsed, clock: SystemClock(), host: host, mailchimpPort: mailchimpPort,
                                                          mixpanelPort: mixpanelPort, adminPort: adminPort, allowNonLoopback: allowNonLoopback)
                }
            } catch {
                throw invalidInput("\(error)")
            }
            var proxyServer: ForwardProxy?
            var info = try servers.description()
            if let proxy {
                let caFile = proxyCAFile ?? NSTemporaryDirectory() + "cohortsim-proxy-ca-\(getpid()).pem"
                do { proxyServer = try await servers.startProxy(port: proxy, caFile: caFile) } catch {
                    await servers.stop()
                    throw invalidInput("\(error)")
                }
                var object = info.objectValue ?? [:]
                object["proxy"] = ["url": .string(proxyServer?.url ?? ""), "ca_file": .string(caFile)]
                info = .object(object)
            }
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
                if let played = servers.played {
                    print("played \(played.stepsPlayed) of \(parsed.steps.count) step(s); scenario time \(played.end), now moving in real time")
                    for line in played.expectationFailures { print("  \(line)") }
                }
                if let proxyServer, let caFile = info["proxy"]?["ca_file"]?.stringValue {
                    print("proxy: HTTPS_PROXY=\(proxyServer.url)  CA certificate: \(caFile)")
                }
                print("Serving until interrupted (Ctrl-C).")
            }
            fflush(nil)
            let signal = await waitForTerminationSignal()
            await proxyServer?.stop()
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

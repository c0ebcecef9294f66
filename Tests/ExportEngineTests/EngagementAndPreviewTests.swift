import Testing
import SimCore
@testable import ExportEngine

@Suite(.timeLimit(.minutes(2))) struct EngagementAndPreviewTests {
    static func campaign(_ id: String, sent: String) -> JSONValue {
        ["id": .string(id), "send_time": .string(sent), "status": "sent", "settings": ["subject_line": .string("Hello \(id)")]]
    }

    static func exportedWorld() async throws -> EngineFixture {
        let fixture = try EngineFixture()
        fixture.setCohort([("ann", "ann@x.io"), ("bob", "bob@x.io")], userIDs: ["ann": "user-ann"])
        _ = try await fixture.connectAndExport()
        fixture.transport.update { s in
            s.campaigns = [campaign("c1", sent: "2026-03-02T10:00:00+00:00")]
            s.reports["c1"] = [
                "sent-to": [["email_address": "ann@x.io", "status": "sent"], ["email_address": "bob@x.io", "status": "sent"],
                            ["email_address": "zed@x.io", "status": "sent"]],
                "email-activity": [
                    ["email_address": "ann@x.io", "activity": [["action": "open", "timestamp": "2026-03-02T10:05:00+00:00"],
                                                               ["action": "click", "timestamp": "2026-03-02T10:06:00+00:00",
                                                                "url": "https://x.io/a"]]],
                    ["email_address": "bob@x.io", "activity": [["action": "bounce", "timestamp": "2026-03-02T10:01:00+00:00", "type": "soft"]]],
                ],
                "unsubscribed": [["email_address": "bob@x.io", "timestamp": "2026-03-02T10:30:00+00:00", "reason": "N/A"]],
            ]
        }
        return fixture
    }

    @Test func aLargeCampaignIsReadPageByPageAndImportedInBatchesOf2000() async throws {
        let fixture = try EngineFixture()
        let people = (0..<2_500).map { (id: "u\($0)", email: "u\($0)@x.io") }
        fixture.setCohort(people)
        _ = try await fixture.connectAndExport()
        fixture.transport.update { s in
            s.campaigns = [Self.campaign("c1", sent: "2026-03-02T10:00:00+00:00")]
            s.reports["c1"] = ["sent-to": people.map { ["email_address": .string($0.email), "status": "sent"] }]
        }
        fixture.clock.set(EngineFixture.start.adding(.hours(3)))
        let report = try await fixture.engine.importEngagement(audienceID: EngineFixture.audience)
        #expect(report.outcome == .succeeded)
        #expect(report.imported == 2_500)
        #expect(fixture.transport.requests("GET", "/3.0/reports/c1/sent-to").count == 3)
        #expect(fixture.transport.requests("POST", "/import").count == 2)
        #expect(fixture.transport.state.withLock { $0.imported }.count == 2_500)
    }

    @Test func campaignActivityBecomesFiveKindsOfMixpanelEvents() async throws {
        let fixture = try await Self.exportedWorld()
        fixture.clock.set(EngineFixture.start.adding(.hours(3)))
        let report = try await fixture.engine.importEngagement(audienceID: EngineFixture.audience)
        #expect(report.outcome == .succeeded)
        #expect(report.events == [EngagementEvent.sentTo: 2, EngagementEvent.opened: 1, EngagementEvent.clicked: 1,
                                  EngagementEvent.bounced: 1, EngagementEvent.unsubscribed: 1])
        #expect(report.unattributed == 1)
        #expect(report.imported == 6)
        let imports = fixture.transport.requests("POST", "/import")
        #expect(imports.count == 1)
        #expect(imports.first?.queryValue("strict") == "1")
        #expect(imports.first?.queryValue("project_id") == "42")
        let events = fixture.transport.state.withLock { $0.imported }
        let click = try #require(events.first { $0["event"] == .string(EngagementEvent.clicked) })
        #expect(click["properties"]?["distinct_id"] == "user-ann")
        #expect(click["properties"]?["$source"] == "mailchimp")
        #expect(click["properties"]?["url"] == "https://x.io/a")
        #expect(click["properties"]?["campaign_id"] == "c1")
        #expect(click["properties"]?["subject"] == "Hello c1")
        #expect(click["properties"]?["time"] == .int(SimTime(iso8601: "2026-03-02T10:06:00Z")!.seconds))
        let bounce = try #require(events.first { $0["event"] == .string(EngagementEvent.bounced) })
        #expect(bounce["properties"]?["distinct_id"] == "bob")
        for event in events {
            let id = try #require(event["properties"]?["$insert_id"]?.stringValue)
            #expect(id.count <= 36)
            #expect(id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        }
        #expect(Set(events.compactMap { $0["properties"]?["$insert_id"] }).count == 6)
    }

    @Test func aSecondImportSendsOnlyActivityAfterTheCursor() async throws {
        let fixture = try await Self.exportedWorld()
        fixture.clock.set(EngineFixture.start.adding(.hours(3)))
        let first = try await fixture.engine.importEngagement(audienceID: EngineFixture.audience)
        let firstIDs = fixture.transport.state.withLock { $0.imported.compactMap { $0["properties"]?["$insert_id"] } }
        fixture.transport.update { s in
            s.reports["c1"]?["email-activity"]?.append(["email_address": "bob@x.io",
                                                       "activity": [["action": "open", "timestamp": "2026-03-02T13:00:00+00:00"]]])
        }
        fixture.clock.set(EngineFixture.start.adding(.hours(5)))
        let second = try await fixture.engine.importEngagement(audienceID: EngineFixture.audience)
        #expect(second.since == first.until)
        #expect(second.events == [EngagementEvent.opened: 1])
        // Mailchimp's `since` is exclusive, so the engine asks from a second before its cursor.
        #expect(fixture.transport.requests("GET", "/3.0/reports/c1/email-activity").last?.queryValue("since") == first.until.adding(.seconds(-1)).iso8601)
        #expect(fixture.transport.requests("GET", "/3.0/reports/c1/sent-to").count == 1)
        // The same activity always gets the same $insert_id.
        let again = EngagementImport.insertID(.init(event: EngagementEvent.opened, campaign: .init(id: "c1", subject: "", sendTime: nil),
                                                    emailKey: "ann@x.io", time: SimTime(iso8601: "2026-03-02T10:05:00Z")!))
        #expect(firstIDs.contains(.string(again)))
        #expect(try await fixture.engine.engagementReports().map(\.number) == [1, 2])
    }

    @Test func aFailedImportKeepsTheCursor() async throws {
        let fixture = try await Self.exportedWorld()
        fixture.transport.update { $0.overrides = [("POST /import", .json(["error": "Invalid credentials"], status: 401))] }
        fixture.clock.set(EngineFixture.start.adding(.hours(3)))
        let failed = try await fixture.engine.importEngagement(audienceID: EngineFixture.audience)
        #expect(failed.outcome == .failed)
        let retry = try await fixture.engine.importEngagement(audienceID: EngineFixture.audience)
        #expect(retry.since == nil)
        #expect(retry.imported == 6)
    }

    @Test func dynamicRunsImportEngagementOnTheSimulation() async throws {
        let simulation = Simulation(start: EngineFixture.start)
        let transport = ScriptedTransport()
        let reports = try await simulation.run {
            let engine = try ExportEngine(configuration: EngineFixture.configuration(), transport: transport, clock: simulation.clock,
                                          seed: 7, executor: simulation)
            transport.update { s in
                s.cohorts[501] = "Power Users"
                s.profiles[501] = [("ann", ["$email": "ann@x.io"])]
            }
            _ = await engine.connect(apiKey: EngineFixture.apiKey)
            try await engine.startExport(cohortID: 501, cohortName: "Power Users", audienceID: "aud1", mode: .dynamic)
            try await simulation.clock.sleep(until: EngineFixture.start.adding(.hours(2) + .minutes(1)), priority: .timeline)
            await engine.quiesce()
            return (try await engine.runs(), try await engine.engagementReports())
        }
        #expect(reports.0.map(\.trigger) == [.initial, .scheduled])
        #expect(reports.1.count == 2)
        #expect(reports.1.map(\.since) == [nil, EngineFixture.start])
    }

    @Test func previewPlansWithoutWriting() async throws {
        let fixture = try await Self.exportedWorld()
        fixture.setCohort([("ann", "ann@x.io"), ("cat", "cat@x.io"), ("dan", "dan@x.io")])
        fixture.transport.update { $0.members["dan@x.io"] = .init(email: "dan@x.io", status: "unsubscribed") }
        let before = fixture.transport.requests.count
        let preview = try await fixture.engine.previewExport(cohortID: 501, audienceID: EngineFixture.audience)
        let made = fixture.transport.requests.dropFirst(before)
        #expect(made.allSatisfy { $0.method == "GET" || $0.path.hasPrefix("/api/query") })
        #expect(preview.number == 0)
        #expect(preview.trigger == .preview)
        #expect(preview.added == 1)
        #expect(preview.removed == 1)
        #expect(preview.unchanged == 1)
        #expect(preview.skipped == ["compliance: unsubscribed": 1])
        #expect(try await fixture.engine.runs().count == 1)
        #expect(fixture.transport.taggedEmails() == ["ann@x.io", "bob@x.io"])
    }

    @Test func previewWithoutAConnectionThrows() async throws {
        let fixture = try EngineFixture()
        await #expect(throws: EngineError("no Mailchimp account connected")) {
            try await fixture.engine.previewExport(cohortID: 501, audienceID: "aud1")
        }
    }
}

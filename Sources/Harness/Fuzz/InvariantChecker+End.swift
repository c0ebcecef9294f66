import ExportEngine
import FakeMailchimp
import FakeMixpanel
import SimCore
import SimHTTP

extension InvariantChecker {
    /// The five Mailchimp events exempt from MTU.
    static let exemptEvents: Set<String> = ["Mailchimp - Opened Campaign", "Mailchimp - Clicked Campaign Url", "Mailchimp - Sent To",
                                            "Mailchimp - Unsubscribed", "Mailchimp - Bounced"]

    /// source-marked, and no-duplicate-events (after an import step with no campaign since the last).
    func checkEvents(_ world: World, step: Int?, now: SimTime, reimport: Bool) async throws {
        let events = try await world.exportedEvents()
        // Mixpanel's raw export is not deduplicated; its queries drop copies with the same event,
        // distinct_id, time and $insert_id (reference mixpanel.md §5.5). Such copies are what a
        // retried /import whose first response was lost leaves (small seed 2302): not duplicates.
        var stored = Set<String>()
        var copiesByInsertID: [String: Set<String>] = [:]
        var withoutInsertID: [String: Int] = [:]
        for event in events {
            let name = event["event"]?.stringValue ?? ""
            let properties = event["properties"]
            let source = properties?["$source"]?.stringValue
            guard name.hasPrefix("Mailchimp - ") || source == "mailchimp" else { continue }
            let time = String(properties?["time"]?.intValue ?? 0)
            let distinctID = properties?["distinct_id"]?.stringValue ?? ""
            if source != "mailchimp" {
                record(.sourceMarked, step: step, now: now, "event \"\(name)\" for \(properties?["distinct_id"]?.stringValue ?? "?") has $source \(source.map { "\"\($0)\"" } ?? "missing")")
            }
            // Two contacts of one merged user each get their own copy of an activity (different
            // $insert_id); one activity stored twice has the same $insert_id.
            let key = [name, distinctID, time].joined(separator: "|")
            guard let insertID = properties?["$insert_id"]?.stringValue else {
                // Without an $insert_id Mixpanel deduplicates nothing: every copy counts.
                let activity = [key, properties?["campaign_id"]?.stringValue ?? "", properties?["url"]?.stringValue ?? ""].joined(separator: "|")
                withoutInsertID[activity, default: 0] += 1
                continue
            }
            stored.insert(insertID + "|" + key)
            copiesByInsertID[insertID, default: []].insert(key)
        }
        for (activity, count) in withoutInsertID.sorted(by: { $0.key < $1.key }) where count > 1 {
            record(.noDuplicateEvents, step: step, now: now, "\(count) copies of one event without $insert_id (\(activity.replacingOccurrences(of: "|", with: " ")))")
        }
        let fromMailchimp = stored.count + withoutInsertID.values.reduce(0, +)
        for (identity, copies) in copiesByInsertID.sorted(by: { $0.key < $1.key }) where copies.count > 1 {
            record(.noDuplicateEvents, step: step, now: now, "\(copies.count) copies of one event that Mixpanel does not deduplicate (\(identity.replacingOccurrences(of: "|", with: " ")): \(copies.sorted().joined(separator: "; ")))")
        }
        if fromMailchimp > 0 { coverage.insert(.engagementImported) }
        for report in try await world.engine.engagementReports() where report.refused > 0 && refusedReported.insert(report.number).inserted {
            record(.eventsAccepted, step: step, now: now, "engagement import \(report.number) for \(report.audienceID): Mixpanel refused \(report.refused) event(s)")
        }
        if reimport {
            // An /import that failed (lost response, timeout) since the last import step may have
            // been applied anyway: its events then appear later without any new activity.
            let uncertain = world.journal.journal.contains {
                $0.service == "mixpanel" && $0.path == "/import" && $0.outcome != "200" && $0.time >= lastImportCheck
            }
            lastImportCheck = now
            if let before = mailchimpEventCount, activityAwaitingImport.isEmpty, !uncertain {
                coverage.insert(.reimport)
                if fromMailchimp > before {
                    record(.noDuplicateEvents, step: step, now: now, "an import with no new campaign activity added \(fromMailchimp - before) event(s) (\(before) → \(fromMailchimp))")
                }
            }
            mailchimpEventCount = fromMailchimp
        }
    }

    /// mtu-exemption: nobody whose only events in a month are the five exempt ones is counted.
    func checkMTU(_ world: World, now: SimTime) async throws {
        let events = try await world.exportedEvents()
        var byMonth: [String: [String: (exempt: Int, other: Int)]] = [:]
        for event in events {
            guard let properties = event["properties"], let seconds = properties["time"]?.intValue else { continue }
            let user = world.mixpanel.canonical(properties["distinct_id"]?.stringValue ?? "")
            let month = SimTime(seconds: seconds).monthString
            let exempt = Self.exemptEvents.contains(event["event"]?.stringValue ?? "") && properties["$source"]?.stringValue == "mailchimp"
            var counts = byMonth[month, default: [:]][user, default: (0, 0)]
            if exempt { counts.exempt += 1 } else { counts.other += 1 }
            byMonth[month, default: [:]][user] = counts
        }
        for (month, users) in byMonth.sorted(by: { $0.key < $1.key }) {
            let counted = Set(try world.mixpanel.mtu(month: month).users)
            for (user, counts) in users.sorted(by: { $0.key < $1.key }) where counts.other == 0 && counts.exempt > 0 && counted.contains(user) {
                record(.mtuExemption, step: nil, now: now, "\(user) is counted in \(month) with only \(counts.exempt) exempt Mailchimp event(s)")
            }
        }
    }

    /// converges-after-quiet: when the last change and the last fault are at least two schedule
    /// intervals and a margin behind, each live sync's tag is exactly its cohort's exportable members.
    func checkConvergence(_ world: World, now: SimTime) async throws {
        guard let calm = calmSince(), now.duration(since: max(calm, lastChange)) >= .hours(4) + .minutes(5), !crashArmed else { return }
        let quietStart = max(calm, lastChange)
        let engine = world.engine
        let syncs = try await engine.syncs()
        let history = try await engine.runs()
        let journal = world.journal.journal
        let fatalSeen = journal.contains { ["401", "403", "404"].contains($0.outcome) }
        let audiences = try world.mailchimp.dump()
        let users = Dictionary(try world.mixpanel.userViews().map { ($0.id, $0.profile) }, uniquingKeysWith: { a, _ in a })
        let refused = scenario.mailchimp.refusedAddresses
        for (pair, since) in live.sorted(by: { $0.key < $1.key }) {
            guard let sync = syncs.last(where: { $0.cohortID == pair.cohort && $0.audienceID == pair.audience && $0.mode == .dynamic }) else {
                record(.convergesAfterQuiet, step: nil, now: now, "the dynamic export of cohort \(pair.cohort) → \(pair.audience) (\(since)) has no sync")
                continue
            }
            if case .paused = sync.state, fatalSeen { continue }
            guard let audience = audiences.first(where: { $0.id == pair.audience }) else { continue }
            guard let members = try world.mixpanel.members(ofCohort: pair.cohort) else { continue }
            coverage.insert(.convergenceChecked)
            var expected = Set<String>()
            for id in members {
                guard let profile = users[id] ?? nil, let raw = profile["$email"]?.stringValue else { continue }
                let email = raw.trimmingWhitespace().lowercased()
                guard Self.isExportable(email), !refused.refuses(email), !(forgotten[audience.name] ?? []).contains(email) else { continue }
                expected.insert(email)
            }
            let status = Dictionary(audience.members.map { ($0.email.lowercased(), $0.status) }, uniquingKeysWith: { a, _ in a })
            let carrying = Set(audience.members.filter { $0.tags.contains(sync.tagName) }.map { $0.email.lowercased() })
            let exempt = Set(status.filter { ["unsubscribed", "cleaned", "archived", "transactional"].contains($0.value) }.keys)
                .union(movedInMailchimp)
            let missing = expected.subtracting(exempt).subtracting(carrying).sorted()
            let extra = carrying.subtracting(expected).subtracting(movedInMailchimp).sorted()
            // Liveness, not only the tag's content: an Active dynamic sync runs every 2 hours, so
            // one of its runs must have succeeded since the quiet period began (a sync whose
            // schedule was lost after a failure still shows the right tag from before).
            let ranSinceQuiet = history.contains { $0.syncID == sync.id && $0.outcome == .succeeded && $0.started >= quietStart }
            if !ranSinceQuiet && sync.state == .active {
                record(.convergesAfterQuiet, step: nil, now: now,
                       "sync \(sync.id) (cohort \(pair.cohort) → \(pair.audience)) is Active but has no succeeded run since the quiet period began at \(quietStart)")
            }
            if !missing.isEmpty || !extra.isEmpty || sync.state != .active {
                record(.convergesAfterQuiet, step: nil, now: now,
                       "sync \(sync.id) (cohort \(pair.cohort) → \(pair.audience), \(sync.state)) tag \"\(sync.tagName)\" after the quiet period"
                       + (missing.isEmpty ? "" : "; missing: " + missing.prefix(5).joined(separator: ", "))
                       + (extra.isEmpty ? "" : "; not in the cohort: " + extra.prefix(5).joined(separator: ", ")))
            }
        }
    }

    /// The oracle's own address check: one `@`, a local part, a dotted domain, no spaces.
    static func isExportable(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !parts[1].contains("..") else { return false }
        return !email.contains(" ")
    }

    /// When every fault has stopped (`nil`: some never does).
    func calmSince() -> SimTime? {
        var calm = scenario.start
        for rule in scenario.mailchimpFaults + scenario.mixpanelOptions.faults {
            guard let until = rule.until else {
                if rule.times != nil && rule.probability == nil { continue }  // a few hits, then gone
                return nil
            }
            calm = max(calm, until)
        }
        return calm
    }

    /// no-secret-in-output: the report and the run records never carry a key or secret.
    func checkSecrets(_ document: String, runs: [RunReport]) {
        let texts = [("the outcome document", document)] + runs.sorted { $0.number < $1.number }.map { ("run \($0.number)'s error", $0.error) }
        for leak in SecretScan(scenario).leaks(in: texts) {
            record(.noSecretInOutput, step: nil, now: scenario.start, leak)
        }
    }

    /// Which fault rules were hit, by kind.
    func noteFaultCoverage(_ world: World) {
        for (rule, hits) in zip(scenario.mailchimpFaults, world.mailchimp.faultHits) where hits > 0 { noteRule(rule) }
        for (rule, hits) in zip(scenario.mixpanelOptions.faults, world.mixpanel.faultHits) where hits > 0 {
            noteRule(rule)
            coverage.insert(.mixpanelFault)
        }
        let journal = world.journal.journal
        for (a, b) in zip(journal, journal.dropFirst()) where a.method == b.method && a.path == b.path {
            if a.outcome == "429" { coverage.insert(.retried429) }
            if a.outcome.hasPrefix("5") { coverage.insert(.retried5xx) }
        }
    }

    private func noteRule(_ rule: FaultRule) {
        switch rule.effect {
        case .status(429): if rule.retryAfter != nil { coverage.insert(.retryAfterHonoured) }
        case .status(let status) where status >= 500: coverage.insert(.retried5xx)
        case .status: coverage.insert(.clientError)
        case .htmlPage, .emptyBody: coverage.insert(.htmlOrEmptyPage)
        case .delay(let d): coverage.insert(d > .seconds(120) ? .timedOut : .slowAnswer)
        case .drop: coverage.insert(.dropped)
        case .loseResponse: coverage.insert(.lostResponse)
        }
    }
}

import ExportEngine
import FakeMailchimp
import SimCore

/// The timeline being drawn. It keeps a model of the world (connected or not, which cohorts,
/// audiences and syncs exist, what each seeded contact's status is) so that every step it emits is
/// one the harness can carry out, and it times waits to land on the engine's schedule, including
/// seconds into a run that is retrying, where lifecycle races live.
struct TimelineDraft {
    var world: WorldDraft
    var now: SimTime
    var steps: [Step.Action] = []
    private var connected = false
    private var revoked = false
    private var cohorts: [Int64]
    private var audiences: [String]
    /// Dynamic syncs believed live: (cohort id, audience name, time of the export).
    private var dynamic: [(cohort: Int64, audience: String, since: SimTime)] = []
    /// Every dynamic export ever started (stop_export may name any).
    private var everDynamic: [(cohort: Int64, audience: String)] = []
    /// Seeded contacts the timeline may still act on, by audience: address → status.
    private var contacts: [String: [(email: String, status: String)]] = [:]
    private var nextCampaign = 0
    private var nextAddress = 1000
    private var nextKey = 0

    init(world: WorldDraft, start: SimTime) {
        self.world = world
        now = start
        cohorts = world.cohorts.map(\.id)
        audiences = world.audiences.map(\.name)
        for audience in world.audiences {
            contacts[audience.name] = audience.members.filter { !$0.forgotten && $0.status == "subscribed" }
                .map { ($0.email, $0.status) }
        }
    }

    mutating func draw(steps count: Int, _ random: inout FuzzRandom) {
        if random.chance(0.9) { emit(.connect(apiKey: nil)); connected = true }
        while steps.count < count {
            drawOne(&random)
        }
    }

    /// The quiet tail: the engine is alive and, after the last change, has two scheduled runs.
    mutating func finish() {
        emit(.wait(.hours(4) + .minutes(10)))
    }

    private mutating func emit(_ action: Step.Action) {
        steps.append(action)
        if case .wait(let duration) = action { now = now.adding(duration) }
    }

    private var hasExportTargets: Bool { connected && !cohorts.isEmpty && !audiences.isEmpty }

    private mutating func drawOne(_ random: inout FuzzRandom) {
        let hasContacts = contacts.values.contains { !$0.isEmpty }
        let kind = random.weighted([
            ("connect", !connected && !revoked ? 6 : 0),
            ("export", hasExportTargets ? 5 : 0),
            ("wait", 5),
            ("race", dynamic.isEmpty ? 0 : 4),
            ("stop", everDynamic.isEmpty ? 0 : 1),
            ("profile", 3), ("delete-profile", 1), ("track", 2), ("identity", 2),
            ("rename", cohorts.isEmpty ? 0 : 1), ("delete-cohort", cohorts.count > 1 ? 1 : 0),
            ("contact", hasContacts ? 2 : 0), ("campaign", hasContacts ? 2 : 0), ("import", connected ? (dynamic.isEmpty ? 1 : 2) : 0),
            ("revoke", connected ? 1 : 0), ("delete-audience", audiences.count > 1 ? 1 : 0),
            ("disconnect", connected ? 1 : 0), ("crash", connected ? 2 : 0),
        ])
        switch kind {
        case "connect": emit(.connect(apiKey: nil)); connected = true
        case "export": export(&random)
        case "wait": emit(.wait(waitDuration(&random)))
        case "race": race(&random)
        case "stop":
            let pair = random.pick(everDynamic)
            emit(.stopExport(cohort: String(pair.cohort), audience: pair.audience))
            dynamic.removeAll { $0.cohort == pair.cohort && $0.audience == pair.audience }
        case "profile": emit(profileEdit(&random))
        case "delete-profile":
            emit(.deleteProfile(distinctID: "user-\(random.int(0...max(0, world.profiles.count - 1)))"))
        case "track": emit(trackEvent(&random))
        case "identity": emit(identityEvent(&random))
        case "rename":
            emit(.renameCohort(cohort: String(random.pick(cohorts)), to: random.pick(["Renamed \(steps.count)", " Spaced \(steps.count) "])))
        case "delete-cohort": deleteCohort(random.pick(cohorts))
        case "contact": contactChange(&random)
        case "campaign": campaign(&random)
        case "import": emit(.importEngagement(audience: random.pick(audiences.isEmpty ? world.audiences.map(\.name) : audiences)))
        case "revoke": revokeEpisode(&random)
        case "delete-audience":
            let audience = random.pick(audiences)
            emit(.deleteAudience(audience: audience))
            audiences.removeAll { $0 == audience }
            dynamic.removeAll { $0.audience == audience }
            everDynamic.removeAll { $0.audience == audience }
            contacts[audience] = []
        case "disconnect": emit(.disconnect); connected = false; dynamic.removeAll()
        default: crashEpisode(&random)
        }
    }

    private mutating func export(_ random: inout FuzzRandom) {
        let cohort = random.pick(cohorts)
        let audience = random.pick(audiences)
        let mode: ExportMode = random.chance(0.7) ? .dynamic : .oneTime
        emit(.export(cohort: String(cohort), audience: audience, mode: mode))
        dynamic.removeAll { $0.cohort == cohort && $0.audience == audience }
        if mode == .dynamic {
            dynamic.append((cohort, audience, now))
            everDynamic.append((cohort, audience))
        }
    }

    /// The time of the next scheduled run of a live dynamic sync, as planned (runs drift later by
    /// the time their retries took).
    private func nextSlot(_ random: inout FuzzRandom) -> SimTime? {
        guard let sync = dynamic.isEmpty ? nil : random.pick(dynamic) else { return nil }
        var slot = sync.since.adding(.hours(2))
        while slot <= now { slot = slot.adding(.hours(2)) }
        return slot
    }

    private mutating func waitDuration(_ random: inout FuzzRandom) -> SimDuration {
        switch random.int(0...9) {
        case 0...3: return .minutes(Int64(random.int(5...200)))
        case 4, 5:
            if let slot = nextSlot(&random) { return slot.duration(since: now) + SimDuration(milliseconds: Int64(random.int(0...40_000))) }
            return .hours(2) + .seconds(Int64(random.int(1...90)))
        case 6: return .days(3) + .hours(Int64(random.int(1...12)))  // past the snapshot's 3-day life
        case 7: return .hours(Int64(random.int(20...40)))
        default:
            // To just after the next month boundary (or a day, if it is far).
            let month = now.monthString
            var t = now
            var hours: Int64 = 0
            while t.monthString == month && hours < 96 { t = t.adding(.hours(1)); hours += 1 }
            return .hours(hours) + .minutes(Int64(random.int(1...59)))
        }
    }

    /// A lifecycle step seconds after a scheduled run began: while it retries, between batches.
    private mutating func race(_ random: inout FuzzRandom) {
        guard let slot = nextSlot(&random) else { return }
        emit(.wait(slot.duration(since: now) + SimDuration(milliseconds: Int64(random.int(200...25_000)))))
        switch random.int(0...3) {
        case 0, 1:
            let sync = random.pick(dynamic)
            emit(.stopExport(cohort: String(sync.cohort), audience: sync.audience))
            dynamic.removeAll { $0.cohort == sync.cohort && $0.audience == sync.audience }
        case 2:
            emit(.disconnect)
            connected = false
            dynamic.removeAll()
        default:
            deleteCohort(random.pick(dynamic).cohort)
        }
    }

    private mutating func deleteCohort(_ id: Int64) {
        emit(.deleteCohort(cohort: String(id)))
        cohorts.removeAll { $0 == id }
        dynamic.removeAll { $0.cohort == id }
    }

    private mutating func profileEdit(_ random: inout FuzzRandom) -> Step.Action {
        let n = random.int(0...max(0, world.profiles.count + 1))
        let id = "user-\(n)"
        switch random.int(0...5) {
        case 0:
            nextAddress += 1
            return .setProfile(distinctID: id, set: ["$email": .string(world.address(nextAddress, &random))], unset: [])
        case 1: return .setProfile(distinctID: id, set: [:], unset: ["$email"])
        case 2: return .setProfile(distinctID: id, set: ["$email": .string(world.address(n, &random))], unset: [])
        case 3: return .setProfile(distinctID: id, set: ["score": .int(Int64(random.int(0...100)))], unset: [])
        default: return .setProfile(distinctID: id, set: ["plan": .string(random.pick(["free", "pro", "team"]))], unset: [])
        }
    }

    private mutating func trackEvent(_ random: inout FuzzRandom) -> Step.Action {
        let event = random.pick(["Purchase", "Login", "Viewed Page"])
        if !world.anonymousIDs.isEmpty, random.chance(0.3) {
            return .track(event: event, properties: ["distinct_id": .string(random.pick(world.anonymousIDs))], time: nil)
        }
        let user = "user-\(random.int(0...max(0, world.profiles.count - 1)))"
        return .track(event: event, properties: [world.idMerge == .simplified ? "$user_id" : "distinct_id": .string(user)], time: nil)
    }

    private mutating func identityEvent(_ random: inout FuzzRandom) -> Step.Action {
        let count = max(1, world.profiles.count)
        let user = "user-\(random.int(0...(count - 1)))"
        if world.idMerge == .simplified {
            let device = "dev-\(random.int(0...max(0, world.anonymousIDs.count)))"
            return .track(event: "Login", properties: ["$device_id": .string(device), "$user_id": .string(user)], time: nil)
        }
        switch random.int(0...3) {
        case 0:
            let anon = world.anonymousIDs.isEmpty || random.chance(0.3) ? "anon-\(random.int(0...9))" : random.pick(world.anonymousIDs)
            return .track(event: "$identify", properties: ["distinct_id": .string(user), "$anon_id": .string(anon), "$identified_id": .string(user)], time: nil)
        case 1:
            return .track(event: "$create_alias", properties: ["distinct_id": .string(user), "alias": .string("alias-\(random.int(0...9))")], time: nil)
        default:
            let other = "user-\(random.int(0...(count - 1)))"
            return .track(event: "$merge", properties: ["$distinct_ids": .array([.string(user), .string(other)])], time: nil)
        }
    }

    private mutating func contactChange(_ random: inout FuzzRandom) {
        let audience = random.pick(contacts.keys.sorted().filter { !(contacts[$0] ?? []).isEmpty })
        var list = contacts[audience]!
        let index = random.int(0...(list.count - 1))
        let email = list[index].email
        let action = random.pick(Step.ContactAction.allCases)
        var to: String?
        switch action {
        case .changeEmail:
            nextAddress += 1
            to = "moved\(nextAddress)@\(world.domains[1])"
            list.remove(at: index)
        case .unsubscribe, .unsubscribeByAdmin, .clean, .archive, .deletePermanently:
            list.remove(at: index)
        }
        contacts[audience] = list
        emit(.contact(audience: audience, email: email, action: action, to: to))
    }

    private mutating func campaign(_ random: inout FuzzRandom) {
        let audience = random.pick(contacts.keys.sorted().filter { !(contacts[$0] ?? []).isEmpty })
        var list = contacts[audience]!
        var activity: [Step.CampaignActivity] = []
        var touched = Set<Int>()
        for _ in 0..<random.int(1...min(4, list.count)) {
            let index = random.int(0...(list.count - 1))
            guard list[index].status == "subscribed", touched.insert(index).inserted else { continue }
            let action = random.weighted([(CampaignAction.open, 4), (.click, 3), (.bounce, 1), (.unsubscribe, 1)])
            activity.append(.init(email: list[index].email, action: action,
                                  url: action == .click ? "https://shop.example.net/p/\(random.int(1...5))" : nil,
                                  bounce: action == .bounce ? random.pick(BounceType.allCases) : nil))
        }
        // A contact that bounced hard or unsubscribed is no longer one the timeline acts on.
        let gone = Set(activity.filter { $0.action == .unsubscribe || ($0.action == .bounce && $0.bounce == .hard) }.map(\.email))
        list.removeAll { gone.contains($0.email) }
        contacts[audience] = list
        nextCampaign += 1
        emit(.campaign(audience: audience, tag: nil, subject: "Campaign \(nextCampaign)", activity: activity))
    }

    /// Revokes the key; sometimes a run then pauses on it, a new key is connected and the paused
    /// syncs are resumed.
    private mutating func revokeEpisode(_ random: inout FuzzRandom) {
        emit(.revokeAPIKey)
        revoked = true
        connected = false
        guard random.chance(0.6) else { dynamic.removeAll(); return }
        if let slot = nextSlot(&random) { emit(.wait(slot.duration(since: now) + .minutes(Int64(random.int(1...30))))) }
        nextKey += 1
        let key = StableHash.hex(seed: UInt64(nextKey), length: 32, "fuzz-key") + "-us6"
        emit(.newAPIKey(key))
        emit(.connect(apiKey: key))
        connected = true
        revoked = false
        for sync in dynamic { emit(.resume(cohort: String(sync.cohort), audience: sync.audience)) }
    }

    /// Arms a crash, makes a run reach it (an export, or the next scheduled run) and restarts.
    private mutating func crashEpisode(_ random: inout FuzzRandom) {
        emit(.crash(at: random.pick(CrashPoint.allCases)))
        if hasExportTargets, dynamic.isEmpty || random.chance(0.5) {
            export(&random)
        } else if let slot = nextSlot(&random) {
            emit(.wait(slot.duration(since: now) + .minutes(Int64(random.int(1...5)))))
        }
        emit(.restart)
    }
}

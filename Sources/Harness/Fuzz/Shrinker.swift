import FakeMixpanel
import SimCore
import SimHTTP

/// Reduces a failing scenario to a small one that still breaks the same invariant: delta
/// debugging over steps, fault rules, profiles, events, cohorts, audiences and their members,
/// then simpler faults and shorter waits. Deterministic: it tries candidates in a fixed order and
/// stops after a fixed number of replays, never after a wall-clock time.
public struct Shrinker: Sendable {
    public var invariant: Invariant
    public var transport: TransportMode
    /// Replays allowed in all (each is one full scenario run).
    public var budget: Int

    public init(invariant: Invariant, transport: TransportMode = .inProcess, budget: Int = 600) {
        self.invariant = invariant
        self.transport = transport
        self.budget = budget
    }

    /// The reduced scenario and how many replays it took.
    public struct Outcome: Sendable {
        public var scenario: Scenario
        public var violation: Violation
        public var replays: Int
    }

    public func shrink(_ scenario: Scenario, violation: Violation) async -> Outcome {
        var state = State(best: scenario, violation: violation, replays: 0)
        // Nothing after the step the violation was seen at can be needed to see it.
        if let step = violation.step, step < scenario.steps.count {
            _ = await attempt({ $0.steps.removeSubrange(step...) }, &state)
        }
        var progress = true
        var rounds = 0
        while progress && state.replays < budget && rounds < 4 {
            progress = false
            rounds += 1
            progress = await reduce(\.steps, &state) || progress
            progress = await reduce(\.mailchimpFaults, &state) || progress
            progress = await reduce(\.mixpanelOptions.faults, &state) || progress
            progress = await reduce(\.mixpanel.events, &state) || progress
            progress = await reduce(\.mixpanel.profiles, &state) || progress
            progress = await reduce(\.mixpanel.cohorts, &state) || progress
            progress = await reduce(\.mailchimp.audiences, &state) || progress
            for index in state.best.mailchimp.audiences.indices {
                progress = await reduce(\.mailchimp.audiences[index].members, &state) || progress
            }
            progress = await simplifyDefinitions(&state) || progress
            progress = await simplifyFaults(&state) || progress
            progress = await shortenWaits(&state) || progress
            if state.best.mixpanelOptions.queryRateLimit {
                progress = await attempt({ $0.mixpanelOptions.queryRateLimit = false }, &state) || progress
            }
        }
        var best = state.best
        best.steps = best.steps.enumerated().map { Step(line: $0.offset + 1, action: $0.element.action) }
        return Outcome(scenario: best, violation: state.violation, replays: state.replays)
    }

    private struct State {
        var best: Scenario
        var violation: Violation
        var replays: Int
    }

    /// Whether `candidate` still breaks the invariant (and nothing else went wrong).
    private func reproduces(_ candidate: Scenario, _ state: inout State) async -> Bool {
        guard state.replays < budget else { return false }
        state.replays += 1
        let result = await FuzzCase(transport: transport).run(candidate)
        guard !result.violations.contains(where: { $0.invariant == .harnessError }),
              let hit = result.violations.first(where: { $0.invariant == invariant }) else { return false }
        state.violation = hit
        return true
    }

    private func attempt(_ change: (inout Scenario) -> Void, _ state: inout State) async -> Bool {
        var candidate = state.best
        change(&candidate)
        guard candidate != state.best, await reproduces(candidate, &state) else { return false }
        state.best = candidate
        return true
    }

    /// ddmin-style: remove chunks of halving size while the failure persists.
    private func reduce<T>(_ path: WritableKeyPath<Scenario, [T]>, _ state: inout State) async -> Bool {
        var changed = false
        var chunk = max(1, state.best[keyPath: path].count / 2)
        while chunk >= 1 && state.replays < budget {
            var start = 0
            while start < state.best[keyPath: path].count && state.replays < budget {
                var candidate = state.best
                let end = min(start + chunk, candidate[keyPath: path].count)
                candidate[keyPath: path].removeSubrange(start..<end)
                if await reproduces(candidate, &state) {
                    state.best = candidate
                    changed = true
                } else {
                    start += chunk
                }
            }
            if chunk == 1 { break }
            chunk /= 2
        }
        return changed
    }

    /// Each cohort's definition replaced by one of its parts, or by the ids of its members.
    private func simplifyDefinitions(_ state: inout State) async -> Bool {
        var changed = false
        for index in state.best.mixpanel.cohorts.indices {
            for simpler in Self.parts(of: state.best.mixpanel.cohorts[index].definition) {
                if await attempt({ $0.mixpanel.cohorts[index].definition = simpler }, &state) {
                    changed = true
                    break
                }
            }
        }
        return changed
    }

    static func parts(of definition: CohortDefinition) -> [CohortDefinition] {
        switch definition {
        case .all(let parts), .any(let parts): parts
        case .not(let part): [part]
        case .ids(let ids) where ids.count > 1: [.ids(Array(ids.prefix(ids.count / 2))), .ids(Array(ids.suffix(ids.count - ids.count / 2)))]
        case .ids, .property, .did: []
        }
    }

    /// Always-on instead of probabilistic, no hit limit, from the start.
    private func simplifyFaults(_ state: inout State) async -> Bool {
        var changed = false
        for index in state.best.mailchimpFaults.indices {
            changed = await attempt({ $0.mailchimpFaults[index].probability = nil }, &state) || changed
            changed = await attempt({ $0.mailchimpFaults[index].from = nil }, &state) || changed
            changed = await attempt({ $0.mailchimpFaults[index].method = nil }, &state) || changed
        }
        for index in state.best.mixpanelOptions.faults.indices {
            changed = await attempt({ $0.mixpanelOptions.faults[index].probability = nil }, &state) || changed
            changed = await attempt({ $0.mixpanelOptions.faults[index].from = nil }, &state) || changed
        }
        return changed
    }

    /// Waits cut to round figures: whole hours or minutes where the failure allows it.
    private func shortenWaits(_ state: inout State) async -> Bool {
        var changed = false
        for index in state.best.steps.indices {
            guard case .wait(let duration) = state.best.steps[index].action else { continue }
            for shorter in Self.candidates(for: duration) {
                if await attempt({ $0.steps[index].action = .wait(shorter) }, &state) {
                    changed = true
                    break
                }
            }
        }
        return changed
    }

    static func candidates(for duration: SimDuration) -> [SimDuration] {
        let ms = duration.milliseconds
        var options: [Int64] = []
        for unit in [Int64(86_400_000), 3_600_000, 60_000, 1000] where ms % unit != 0 {
            options.append(ms / unit * unit)
            options.append((ms / unit + 1) * unit)
        }
        options.append(ms / 2)
        return options.filter { $0 > 0 && $0 != ms }.map(SimDuration.init(milliseconds:))
    }
}

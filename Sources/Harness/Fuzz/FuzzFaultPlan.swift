import SimCore
import SimHTTP

/// Swarm testing for faults: each seed switches whole fault kinds on or off and picks their rates,
/// endpoints and services, so some seeds hammer one failure mode and others mix several.
struct FuzzFaultPlan {
    /// The kinds of failure a plan can switch on.
    enum Kind: String, CaseIterable {
        case throttled = "429"
        case throttledWithRetryAfter = "429+retry-after"
        case serverError = "5xx"
        case clientError = "4xx"
        case timeout
        case dropped
        case htmlPage = "html-page"
        case slow
        case lostResponse = "lost-response"
    }

    var mailchimp: [FaultRule] = []
    var mixpanel: [FaultRule] = []
    var queryRateLimit = false

    /// Mailchimp endpoints the engine calls, as fault patterns.
    static let mailchimpPaths: [String?] = [nil, "/3.0/lists/*", "/3.0/lists/*/segments/*", "/3.0/lists/*/segments",
                                             "/3.0/lists/*/tag-search", "/3.0/lists/*/members", "/3.0/lists/*/segments/*/members",
                                             "/3.0/ping", "/3.0/campaigns", "/3.0/reports/**"]
    /// Mixpanel endpoints the engine calls.
    static let mixpanelPaths: [String?] = [nil, "/api/query/engage", "/api/query/cohorts/list", "/import"]

    /// Draws a plan whose faults all stop at `quiet` (so liveness can be judged after it).
    static func draw(_ random: inout FuzzRandom, start: SimTime, quiet: SimTime) -> FuzzFaultPlan {
        var plan = FuzzFaultPlan()
        guard random.chance(0.8) else { return plan }
        let enabled = Kind.allCases.filter { _ in random.chance(0.35) }
        for kind in enabled {
            let rules = random.int(1...2)
            for _ in 0..<rules {
                let onMailchimp = random.chance(0.7)
                let path = random.pick(onMailchimp ? mailchimpPaths : mixpanelPaths)
                let method: String? = path == nil ? nil : random.pick([nil, nil, "GET", "POST"])
                let rule = FaultRule(method: method, path: path, effect: effect(kind, &random),
                                     times: random.chance(0.3) ? random.int(1...4) : nil,
                                     probability: random.pick([0.05, 0.15, 0.3, 0.6]),
                                     from: start.adding(.minutes(Int64(random.int(0...180)))),
                                     until: quiet,
                                     retryAfter: kind == .throttledWithRetryAfter ? .seconds(Int64(random.int(1...20))) : nil)
                if onMailchimp { plan.mailchimp.append(rule) } else { plan.mixpanel.append(rule) }
            }
        }
        plan.queryRateLimit = random.chance(0.15)
        return plan
    }

    private static func effect(_ kind: Kind, _ random: inout FuzzRandom) -> FaultRule.Effect {
        switch kind {
        case .throttled, .throttledWithRetryAfter: .status(429)
        case .serverError: .status(random.pick([500, 502, 503, 504]))
        case .clientError: .status(random.pick([400, 403, 404]))
        case .timeout: .delay(.seconds(Int64(random.int(121...200))))
        case .dropped: .drop
        case .htmlPage: random.chance(0.5) ? .htmlPage(random.pick([403, 503])) : .emptyBody(random.pick([502, 503]))
        case .slow: .delay(.seconds(Int64(random.int(1...40))))
        case .lostResponse: .loseResponse
        }
    }
}

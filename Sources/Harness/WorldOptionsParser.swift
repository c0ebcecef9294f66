import FakeMixpanel
import SimCore
import SimHTTP

/// Reads the world-level options of a scenario: fault rules and the fake Mixpanel's switches.
enum WorldOptionsParser {
    static let faultKeys = ["method", "path", "status", "html", "empty", "delay", "drop", "lose_response", "times", "probability", "from", "until", "retry_after"]
    static let mtuKeys = ["month_basis", "user_basis", "mailchimp_spellings", "exempt_engagement_events",
                          "guardrail_counts_all_events", "require_source_for_exemption", "count_empty_distinct_id"]

    /// A list of fault rules; `from` is an ISO time or an offset from the scenario start.
    static func faults(_ node: YAMLNode, start: SimTime) throws -> [FaultRule] {
        try node.sequence().map { item in
            let map = try item.mapping(allowed: faultKeys)
            let effects: [FaultRule.Effect] = try [
                map["status"].map { .status(Int(try $0.int())) },
                map["html"].map { .htmlPage(Int(try $0.int())) },
                map["empty"].map { .emptyBody(Int(try $0.int())) },
                map["delay"].map { .delay(try $0.duration()) },
                try map["drop"]?.bool() == true ? .drop : nil,
                try map["lose_response"]?.bool() == true ? .loseResponse : nil,
            ].compactMap { $0 }
            guard effects.count == 1, let effect = effects.first else {
                throw item.error("\(item.path) needs exactly one of status, html, empty, delay, drop or lose_response")
            }
            if let node = map["retry_after"] {
                guard case .status = effect else { throw node.error("retry_after goes with a status answer") }
            }
            let probability = try map["probability"].map { node -> Double in
                guard case .double(let p) = try node.json(), (0...1).contains(p) else { throw node.error("probability must be a number from 0 to 1") }
                return p
            }
            let times = try map["times"].map { node -> Int in
                let value = Int(try node.int())
                guard value >= 1 else { throw node.error("times must be at least 1") }
                return value
            }
            return FaultRule(method: try map["method"]?.string(), path: try map["path"]?.string(), effect: effect,
                             times: times, probability: probability, from: try map["from"]?.time(relativeTo: start),
                             until: try map["until"]?.time(relativeTo: start), retryAfter: try map["retry_after"]?.duration())
        }
    }

    static let identityKeys = ["canonical_choice", "max_cluster_size", "reidentify", "device_conflict", "device_profiles"]

    /// The fake Mixpanel's identity switches; values are the settings' case names.
    static func identity(_ node: YAMLNode) throws -> IdentitySettings {
        let map = try node.mapping(allowed: identityKeys)
        var settings = IdentitySettings()
        if let n = map["canonical_choice"] { settings.canonicalChoice = .init(rawValue: try n.choice(IdentitySettings.CanonicalChoice.allCases.map(\.rawValue)))! }
        if let n = map["max_cluster_size"] {
            let size = try n.int()
            guard size >= 2 else { throw n.error("\(n.path) must be at least 2, found \(size)") }
            settings.maxClusterSize = Int(size)
        }
        if let n = map["reidentify"] { settings.reidentify = .init(rawValue: try n.choice(IdentitySettings.Reidentify.allCases.map(\.rawValue)))! }
        if let n = map["device_conflict"] { settings.deviceConflict = .init(rawValue: try n.choice(IdentitySettings.DeviceConflict.allCases.map(\.rawValue)))! }
        if let n = map["device_profiles"] { settings.deviceProfiles = .init(rawValue: try n.choice(IdentitySettings.DeviceProfiles.allCases.map(\.rawValue)))! }
        return settings
    }

    static func mtu(_ node: YAMLNode) throws -> MTUSettings {
        let map = try node.mapping(allowed: mtuKeys)
        var settings = MTUSettings()
        if let n = map["month_basis"] { settings.monthBasis = .init(rawValue: try n.choice(MTUSettings.MonthBasis.allCases.map(\.rawValue)))! }
        if let n = map["user_basis"] { settings.userBasis = .init(rawValue: try n.choice(MTUSettings.UserBasis.allCases.map(\.rawValue)))! }
        if let n = map["mailchimp_spellings"] {
            settings.mailchimpSpellings = .init(rawValue: try n.choice(MTUSettings.MailchimpSpellings.allCases.map(\.rawValue)))!
        }
        if let n = map["exempt_engagement_events"] { settings.exemptEngagementEvents = try n.bool() }
        if let n = map["guardrail_counts_all_events"] { settings.guardrailCountsAllEvents = try n.bool() }
        if let n = map["require_source_for_exemption"] { settings.requireSourceForExemption = try n.bool() }
        if let n = map["count_empty_distinct_id"] { settings.countEmptyDistinctID = try n.bool() }
        return settings
    }
}

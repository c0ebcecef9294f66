import FakeMailchimp
import SimCore
import SimHTTP

/// Reads the timing options of a scenario's world: service times and other clients' load.
extension WorldOptionsParser {
    static let latencyKeys = ["method", "path", "base", "per_kib", "jitter", "from", "until"]
    static let otherClientKeys = ["connections", "from", "until"]

    /// `off`, or a list of rules consulted before the service's defaults (first match wins).
    static func latency(_ node: YAMLNode, defaults: LatencyModel, start: SimTime) throws -> LatencyModel {
        if case .string(let text) = try node.json() {
            guard text == "off" else { throw node.error("\(node.path) must be off or a list of rules, found '\(text)'") }
            return .off
        }
        let rules = try node.sequence().map { item -> LatencyModel.Rule in
            let map = try item.mapping(allowed: latencyKeys)
            let baseNode = try map.required("base")
            let base = try baseNode.duration()
            guard base.milliseconds >= 0 else { throw baseNode.error("base must not be negative") }
            let perKiB = try map["per_kib"]?.duration() ?? SimDuration(milliseconds: 0)
            guard perKiB.milliseconds >= 0 else { throw map["per_kib"]!.error("per_kib must not be negative") }
            let jitter = try map["jitter"].map { node -> Double in
                let value: Double
                switch try node.json() {
                case .double(let d): value = d
                case .int(let i): value = Double(i)
                default: throw node.error("jitter must be a number from 0 to 0.9")
                }
                guard (0...0.9).contains(value) else { throw node.error("jitter must be a number from 0 to 0.9, found \(value)") }
                return value
            } ?? 0
            return LatencyModel.Rule(method: try map["method"]?.string(), path: try map["path"]?.string(), base: base, perKiB: perKiB,
                                     jitter: jitter, from: try map["from"]?.time(relativeTo: start),
                                     until: try map["until"]?.time(relativeTo: start))
        }
        return defaults.overridden(by: rules)
    }

    /// Connections other apps of the Mailchimp user hold, each for a window.
    static func otherClients(_ node: YAMLNode, start: SimTime) throws -> [OtherClientLoad] {
        try node.sequence().map { item in
            let map = try item.mapping(allowed: otherClientKeys)
            let countNode = try map.required("connections")
            let count = try countNode.int()
            guard (1...10).contains(count) else {
                throw countNode.error("connections must be from 1 to 10 (Mailchimp's limit), found \(count)")
            }
            return OtherClientLoad(connections: Int(count), from: try map["from"]?.time(relativeTo: start),
                                   until: try map["until"]?.time(relativeTo: start))
        }
    }
}

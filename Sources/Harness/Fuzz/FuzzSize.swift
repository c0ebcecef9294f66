/// How big the fuzzer's worlds and timelines get (`--size`).
public enum FuzzSize: String, Sendable, Equatable, CaseIterable {
    case small, medium, large

    /// The bounds one size puts on a generated world and timeline.
    struct Bounds {
        var profiles: ClosedRange<Int>
        var anonymousUsers: ClosedRange<Int>
        var cohorts: ClosedRange<Int>
        var audiences: ClosedRange<Int>
        var membersPerAudience: ClosedRange<Int>
        var steps: ClosedRange<Int>
    }

    var bounds: Bounds {
        switch self {
        case .small:
            Bounds(profiles: 3...8, anonymousUsers: 0...2, cohorts: 1...2, audiences: 1...2, membersPerAudience: 0...4, steps: 6...14)
        case .medium:
            Bounds(profiles: 8...40, anonymousUsers: 1...6, cohorts: 2...4, audiences: 1...3, membersPerAudience: 2...12, steps: 12...30)
        case .large:
            Bounds(profiles: 40...600, anonymousUsers: 3...30, cohorts: 3...6, audiences: 2...4, membersPerAudience: 5...60, steps: 25...60)
        }
    }
}

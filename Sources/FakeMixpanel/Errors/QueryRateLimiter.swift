import SimCore
import Synchronization

/// The query API's per-project limits (§6.2): 60 queries per rolling hour and 5 at once.
/// Off unless the fake is created with ``QuerySettings/rateLimited``.
final class QueryRateLimiter: Sendable {
    /// What ``admit(family:projectID:at:)`` decided.
    enum Permit: Sendable {
        /// Go ahead; hand the ticket back to ``finish(_:)``.
        case admitted(Int)
        /// 429 with this message.
        case refused(String)
    }

    static let perHour = 60
    static let concurrent = 5

    private struct State {
        var started: [SimTime] = []
        var running: Set<Int> = []
        var nextTicket = 0
    }

    private let state = Mutex(State())

    /// Admits or refuses a metered query.
    func admit(projectID: Int64, at now: SimTime) -> Permit? {
        state.withLock { s in
            s.started.removeAll { $0 <= now.adding(.hours(-1)) }
            if s.running.count >= Self.concurrent || s.started.count >= Self.perHour {
                return .refused(Self.message(projectID: projectID, running: s.running.count + 1, lastHour: s.started.count + 1))
            }
            s.nextTicket += 1
            s.started.append(now)
            s.running.insert(s.nextTicket)
            return .admitted(s.nextTicket)
        }
    }

    /// Releases a running query's slot.
    func finish(_ ticket: Int) {
        state.withLock { _ = $0.running.remove(ticket) }
    }

    /// The observed 429 text (§6.3), completed from the response quoted in airbytehq/airbyte#9410.
    static func message(projectID: Int64, running: Int, lastHour: Int) -> String {
        "Query rate limit exceeded for project_id: \(projectID). \(running)/\(concurrent) queries running concurrently and "
            + "\(lastHour)/\(perHour) queries running in the last hour. For more information, please consult our documentation at "
            + "https://help.mixpanel.com/hc/en-us/articles/115004602563-Rate-Limits-for-Export-API-Endpoints"
    }
}

import SimCore

/// Connections another app of the same Mailchimp user holds for a while. Mailchimp's limit of
/// 10 simultaneous connections is per user, not per key (mailchimp.md §4), so an account's other
/// integrations take from the same 10 the engine uses.
public struct OtherClientLoad: Sendable, Equatable {
    /// Connections held, 1 to 10.
    public var connections: Int
    /// From this virtual time (`nil`: from the start).
    public var from: SimTime?
    /// Until this virtual time (`nil`: for ever).
    public var until: SimTime?

    public init(connections: Int, from: SimTime? = nil, until: SimTime? = nil) {
        self.connections = connections
        self.from = from
        self.until = until
    }

    /// The connections held at `time`.
    func connections(at time: SimTime) -> Int {
        if let from, time < from { return 0 }
        if let until, time >= until { return 0 }
        return connections
    }
}

import SimCore

/// One user as the project sees it now, for oracles that judge an export from the fake's own
/// state (the fuzzer): the canonical id and the visible profile (`nil`: anonymous).
public struct MixpanelUserView: Sendable, Equatable {
    public var id: String
    public var profile: [String: JSONValue]?
}

extension FakeMixpanel {
    /// Every known user (a visible profile or an event), sorted by canonical id.
    public func userViews() throws -> [MixpanelUserView] {
        try knownUsers().map { MixpanelUserView(id: $0.key, profile: $0.value.profile) }.sorted { $0.id < $1.id }
    }
}

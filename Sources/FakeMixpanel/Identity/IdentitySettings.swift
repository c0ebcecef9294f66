/// Switches for the identity rules the Mixpanel docs leave open (`mixpanel.md` §11, A1–A8).
///
/// Every default is the reference's suggested handling; the alternatives exist so scenarios can
/// pin a golden per choice. See `docs/fidelity.md`, "Identity".
public struct IdentitySettings: Sendable, Equatable {
    /// A1: how Original ID Merge picks a cluster's canonical distinct_id.
    public enum CanonicalChoice: String, Sendable, Equatable, CaseIterable {
        /// (a, default) the member first used as an identified id (`$identified_id`, or the
        /// `distinct_id` of a `$create_alias`); without one, the first argument's canonical id.
        case firstIdentified
        /// (b) the member the project saw first.
        case oldest
        /// (c) the member with the smallest seeded hash: "random", but the same every run.
        case seeded
    }

    /// A3: `$identify` for an `$anon_id` already merged with the same `$identified_id`.
    public enum Reidentify: String, Sendable, Equatable, CaseIterable {
        /// Default: a no-op success with no failure property.
        case noOp
        /// The decision tree's literal reading: `errAnonDistinctIdAssignedAlready`.
        case assignedAlready
    }

    /// A5 (Simplified): a `$device_id` already linked to user U1 arrives with `$user_id` U2.
    public enum DeviceConflict: String, Sendable, Equatable, CaseIterable {
        /// (a, default) no merge; `$identity_failure_reason` is set; the event belongs to U2.
        case keepFirstUser
        /// (b) the device moves to U2's cluster (its earlier events go with it).
        case relink
    }

    /// A8 (Simplified): a profile set on `$device:<id>` before the device was linked to a user.
    public enum DeviceProfiles: String, Sendable, Equatable, CaseIterable {
        /// (a, default) it stays as a separate, orphaned profile that `/engage` and cohorts still see.
        case keepOrphaned
        /// (b) it disappears from queries (the row is kept, hidden).
        case hide
    }

    /// A1, default ``CanonicalChoice/firstIdentified``.
    public var canonicalChoice: CanonicalChoice
    /// A2: the most distinct_ids one Original cluster may hold; default 499 (the diagrams'
    /// "500 or more fails"). Set 500 for the prose's reading.
    public var maxClusterSize: Int
    /// A3, default ``Reidentify/noOp``.
    public var reidentify: Reidentify
    /// A5, default ``DeviceConflict/keepFirstUser``.
    public var deviceConflict: DeviceConflict
    /// A8, default ``DeviceProfiles/keepOrphaned``.
    public var deviceProfiles: DeviceProfiles

    public init(canonicalChoice: CanonicalChoice = .firstIdentified, maxClusterSize: Int = 499,
                reidentify: Reidentify = .noOp, deviceConflict: DeviceConflict = .keepFirstUser,
                deviceProfiles: DeviceProfiles = .keepOrphaned) {
        self.canonicalChoice = canonicalChoice
        self.maxClusterSize = maxClusterSize
        self.reidentify = reidentify
        self.deviceConflict = deviceConflict
        self.deviceProfiles = deviceProfiles
    }
}

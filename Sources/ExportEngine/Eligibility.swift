import SimCore

/// A cohort member who can be exported: identified, with a valid `$email`.
struct ExportCandidate: Sendable, Equatable {
    var distinctID: String
    /// The address as the profile has it, trimmed.
    var email: String
    var firstName: String?
    var lastName: String?
    /// The profile's `$user_id` (the partner id under Simplified ID Merge), if it has one.
    var userID: String? = nil

    /// The key contacts are compared on: the lower-cased address.
    var key: String { email.lowercased() }

    /// The id engagement events are sent under: `$user_id` when present, else the distinct_id.
    var mixpanelID: String { userID.flatMap { $0.isEmpty ? nil : $0 } ?? distinctID }
}

/// Splits `/engage` results into exportable candidates and skipped members.
enum Eligibility {
    /// Skip reasons, as they appear in reports.
    static let noProfile = "no-profile"
    static let noEmail = "no-email"
    static let invalidEmail = "invalid-email"
    static let duplicateEmail = "duplicate-email"

    /// Profiles without properties are anonymous and dropped (A12); the first distinct_id in sort
    /// order wins an address shared by several users (A47).
    static func partition(_ profiles: [EngageProfile]) -> (candidates: [ExportCandidate], skipped: [MemberChange]) {
        var candidates: [String: ExportCandidate] = [:]
        var skipped: [MemberChange] = []
        for profile in profiles.sorted(by: { $0.distinctID < $1.distinctID }) {
            guard !profile.properties.filter({ $0.key != "$last_seen" }).isEmpty else {
                skipped.append(MemberChange(action: .skip, distinctID: profile.distinctID, email: "", reason: noProfile))
                continue
            }
            guard let raw = profile.properties["$email"]?.stringValue, !raw.trimmingWhitespace().isEmpty else {
                skipped.append(MemberChange(action: .skip, distinctID: profile.distinctID, email: "", reason: noEmail))
                continue
            }
            let email = raw.trimmingWhitespace()
            guard isPlausibleEmail(email) else {
                skipped.append(MemberChange(action: .skip, distinctID: profile.distinctID, email: email, reason: invalidEmail))
                continue
            }
            let candidate = ExportCandidate(distinctID: profile.distinctID, email: email,
                                            firstName: profile.properties["$first_name"]?.stringValue,
                                            lastName: profile.properties["$last_name"]?.stringValue,
                                            userID: profile.properties["$user_id"]?.stringValue
                                                ?? profile.properties["$user_id"]?.intValue.map(String.init))
            if candidates[candidate.key] != nil {
                skipped.append(MemberChange(action: .skip, distinctID: profile.distinctID, email: email, reason: duplicateEmail))
                continue
            }
            candidates[candidate.key] = candidate
        }
        return (candidates.values.sorted { $0.key < $1.key }, skipped)
    }

    /// One `@`, a non-empty local part, a dotted domain, no spaces: what Mailchimp would not reject outright.
    static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
            && !email.contains(where: { $0.isWhitespace || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" })
    }
}

/// The adds and removes of one run against its baseline.
struct SyncPlan: Sendable, Equatable {
    var adds: [ExportCandidate]
    /// Lower-cased addresses to untag, with what is known of them.
    var removes: [(key: String, member: SnapshotMember)]
    var unchanged: [ExportCandidate]

    static func == (lhs: SyncPlan, rhs: SyncPlan) -> Bool {
        lhs.adds == rhs.adds && lhs.unchanged == rhs.unchanged && lhs.removes.map(\.key) == rhs.removes.map(\.key)
    }

    /// Compares current candidates with the baseline (a snapshot, or the tag's members on Mailchimp).
    init(candidates: [ExportCandidate], baseline: [String: SnapshotMember]) {
        let current = Set(candidates.map(\.key))
        adds = candidates.filter { baseline[$0.key] == nil }
        unchanged = candidates.filter { baseline[$0.key] != nil }
        removes = baseline.keys.filter { !current.contains($0) }.sorted().map { ($0, baseline[$0]!) }
    }
}

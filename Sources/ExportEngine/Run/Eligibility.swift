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

/// Why a cohort member is not a candidate for export. The raw values are the skip count keys
/// of reports and the reasons the staging SQL stores (`run_skip.reason`).
enum SkipReason: String, Sendable, Equatable, CaseIterable {
    /// No profile properties besides `$last_seen`: an anonymous user (A12).
    case noProfile = "no-profile"
    /// No non-empty string `$email`.
    case noEmail = "no-email"
    /// An address the engine's own check refuses (never sent to Mailchimp).
    case invalidEmail = "invalid-email"
    /// Another distinct_id, first in sort order, has the same lower-cased address (A47).
    case duplicateEmail = "duplicate-email"
}

/// Splits `/engage` results into exportable candidates and skipped members.
enum Eligibility {
    /// What one `/engage` profile is to a run.
    enum Verdict: Equatable {
        case candidate(ExportCandidate)
        /// Not exported: the reason, and the address when it has one.
        case skip(reason: SkipReason, email: String)
    }

    /// Profiles without properties are anonymous (A12); a profile needs a plausible `$email`.
    /// Duplicate addresses are resolved over the whole cohort, by ``RunStaging``: the first
    /// distinct_id in sort order wins an address shared by several users (A47).
    static func classify(_ profile: EngageProfile) -> Verdict {
        guard profile.hasProperties else {
            return .skip(reason: .noProfile, email: "")
        }
        guard let email = profile.email?.stringValue?.trimmingWhitespace(), !email.isEmpty else {
            return .skip(reason: .noEmail, email: "")
        }
        guard isPlausibleEmail(email) else { return .skip(reason: .invalidEmail, email: email) }
        return .candidate(ExportCandidate(distinctID: profile.distinctID, email: email,
                                          firstName: profile.firstName?.stringValue,
                                          lastName: profile.lastName?.stringValue,
                                          userID: profile.userID?.stringValue ?? profile.userID?.intValue.map(String.init)))
    }

    /// One `@`, a non-empty local part, a dotted domain, no spaces: what Mailchimp would not reject outright.
    static func isPlausibleEmail(_ email: String) -> Bool {
        let bytes = email.utf8
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at != bytes.startIndex else { return false }
        let domain = bytes[bytes.index(after: at)...]
        guard !domain.contains(UInt8(ascii: "@")), domain.contains(UInt8(ascii: ".")),
              domain.first != UInt8(ascii: "."), domain.last != UInt8(ascii: ".") else { return false }
        var previous: UInt8 = 0
        for byte in domain {
            if byte == UInt8(ascii: "."), previous == UInt8(ascii: ".") { return false }
            previous = byte
        }
        for scalar in email.unicodeScalars {
            switch scalar {
            case ",", ";", "<", ">": return false
            case _ where scalar.isASCII: if scalar == " " || (0x09...0x0D).contains(scalar.value) { return false }
            default: if scalar.properties.isWhitespace { return false }
            }
        }
        return true
    }
}

/// An unsubscribed contact's reason in a Mailchimp export (`UNSUB_REASON`, and the free text a
/// contact typed under "Other" in `UNSUB_REASON_OTHER`), made safe for a scenario: Mailchimp's
/// own categories and `N/A (…)` notes are kept verbatim (they are not personal); anything a
/// person wrote is pseudonymised like any free text.
struct UnsubscribeReason {
    /// The reasons Mailchimp's unsubscribe form offers, and the notes it writes itself.
    static let categories: Set<String> = [
        "I no longer want to receive these emails", "I never signed up for this mailing list",
        "The emails are inappropriate", "The emails are spam and should be reported", "Other",
        "N/A (Unsubscribed by admin)", "N/A (Unsubscribed via unsubscribe link)",
    ]

    var category: String
    var other: String

    init(category: String, other: String) {
        self.category = category.trimmingWhitespace()
        self.other = other.trimmingWhitespace()
    }

    /// Mailchimp notes an admin's (or an API client's) unsubscribe as "N/A (Unsubscribed by admin)".
    var byAdmin: Bool { category.lowercased().contains("by admin") }

    /// `nil` when the export gives no reason; the free text of "Other" (or an unknown reason)
    /// pseudonymised, e.g. `Other: text-3f2a…`.
    func scenarioValue(_ pseudonyms: ImportPseudonyms) -> String? {
        if category.isEmpty && other.isEmpty { return nil }
        let kept = Self.categories.contains(category) ? category : (category.isEmpty ? "" : pseudonyms.freeText(category))
        guard !other.isEmpty else { return kept }
        return (kept.isEmpty ? "Other" : kept) + ": " + pseudonyms.freeText(other)
    }
}

import SimCore

// Lookups the CLI needs outside a run: redacting history text, a cohort's name in Mixpanel.
extension ExportEngine {
    /// `text` with the engine's own secrets — the stored Mailchimp key (whole and without its
    /// data centre) and the Mixpanel service-account secret — replaced by `<api-key>` and
    /// `<secret>`, for anything printed from its history (`cohortsim sync history`).
    public func redacting(_ text: String) throws -> String {
        var text = text
        if let key = try store.connection()?.apiKey, key.count >= 8 {
            text = text.replacingOccurrences(of: key, with: "<api-key>")
            if let bare = key.split(separator: "-").first, bare.count >= 8 { text = text.replacingOccurrences(of: String(bare), with: "<api-key>") }
        }
        let secret = configuration.mixpanel.secret
        if secret.count >= 8 { text = text.replacingOccurrences(of: secret, with: "<secret>") }
        return text
    }
}

extension ExportEngine {
    /// The cohort's name as Mixpanel lists it (`/query/cohorts/list`), `nil` when no saved cohort
    /// has that id: what names the tag when the caller does not (`cohortsim sync export`).
    public func cohortName(cohortID: Int64) async throws -> String? {
        let mixpanel = MixpanelClient(access: configuration.mixpanel, sender: sender(counter: { }))
        return try await mixpanel.cohorts()[cohortID]?.name
    }
}

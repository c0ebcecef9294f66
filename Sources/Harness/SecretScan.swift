/// The secrets a scenario configures — Mailchimp keys (whole and without the data centre),
/// service-account secrets, the project token — and where they leaked.
///
/// Every scenario run fails when its outcome document, a run's error or a state change's reason
/// contains one (failed and paused runs included), and so does the fuzzer's no-secret-in-output.
struct SecretScan: Sendable {
    let secrets: [String]

    init(_ scenario: Scenario) {
        var secrets: [String] = []
        var keys = [scenario.mailchimp.apiKey]
        for step in scenario.steps { if case .newAPIKey(let key) = step.action { keys.append(key) } }
        for key in keys {
            secrets.append(key)
            if let bare = key.split(separator: "-").first { secrets.append(String(bare)) }
        }
        secrets += scenario.mixpanel.serviceAccounts.map(\.secret)
        secrets.append(scenario.mixpanel.token)
        // Short values would match ordinary text; a real key, secret or token is longer.
        self.secrets = Array(Set(secrets.filter { $0.count >= 8 })).sorted()
    }

    /// One line per secret found, naming where (`texts` are (place, text) pairs) and only the
    /// secret's first four characters.
    func leaks(in texts: [(place: String, text: String)]) -> [String] {
        secrets.flatMap { secret in
            texts.filter { $0.text.contains(secret) }.map { "a configured secret (\(secret.prefix(4))…) appears in \($0.place)" }
        }
    }
}

import Foundation

/// The secrets a scenario configures — Mailchimp keys (whole and without the data centre),
/// service-account secrets, the project token — and where they leaked.
///
/// Every scenario run fails when its outcome document, a run's error or a state change's reason
/// contains one (failed and paused runs included), and so does the fuzzer's no-secret-in-output.
/// The HTML report redacts them from every value it shows and scans each page it writes.
public struct SecretScan: Sendable {
    let secrets: [String]

    public init(_ scenario: Scenario) {
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

    /// The secrets of several scenarios as one scan (the longest replaced first by ``redact(_:)``,
    /// so one scenario's key prefix never cuts another's whole key in two).
    public init(merging scans: [SecretScan]) {
        secrets = Array(Set(scans.flatMap(\.secrets))).sorted()
    }

    /// One line per secret found, naming where (`texts` are (place, text) pairs) and only the
    /// secret's first four characters.
    public func leaks(in texts: [(place: String, text: String)]) -> [String] {
        secrets.flatMap { secret in
            texts.filter { $0.text.contains(secret) }.map { "a configured secret (\(secret.prefix(4))…) appears in \($0.place)" }
        }
    }

    /// `text` with every configured secret replaced by `[redacted]` (longest secrets first, so a
    /// key is never half-replaced by its own data-centre-less prefix).
    public func redact(_ text: String) -> String {
        var text = text
        for secret in secrets.sorted(by: { ($0.count, $0) > ($1.count, $1) }) where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: Self.placeholder)
        }
        return text
    }

    /// What ``redact(_:)`` puts in a secret's place.
    public static let placeholder = "[redacted]"
}

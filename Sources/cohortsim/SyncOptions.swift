import ArgumentParser
import ExportEngine
import Foundation
import SimCore
import SimHTTP
import SimHTTPClient
import Yams

/// Where the engine keeps its state and how it reaches Mixpanel and Mailchimp. Each value comes
/// from its flag, else its environment variable, else the config file, else the default (the
/// real services).
struct SyncOptions: ParsableArguments {
    @Option(help: "The engine's SQLite state file (default cohortsim-state.sqlite in the current folder; env COHORTSIM_STATE).")
    var state: String?

    @Option(help: "A YAML config file with any of: state, project_id, service_account_username, service_account_secret, mixpanel_query_url, mixpanel_ingest_url, mailchimp_base_url, status_if_new, existing_contacts.")
    var config: String?

    @Option(help: "Mixpanel project id (env MIXPANEL_PROJECT_ID).")
    var projectID: Int64?

    @Option(help: "Mixpanel service-account username (env MIXPANEL_SERVICE_ACCOUNT_USERNAME).")
    var serviceAccountUsername: String?

    @Option(help: "Mixpanel service-account secret (env MIXPANEL_SERVICE_ACCOUNT_SECRET; prefer the environment).")
    var serviceAccountSecret: String?

    @Option(help: "Mixpanel query API base (default https://mixpanel.com/api; env MIXPANEL_QUERY_URL).")
    var mixpanelQueryURL: String?

    @Option(help: "Mixpanel ingestion API base (default https://api.mixpanel.com; env MIXPANEL_INGEST_URL).")
    var mixpanelIngestURL: String?

    @Option(help: "Mailchimp API root override, e.g. a fake's http://127.0.0.1:PORT/3.0 (env MAILCHIMP_BASE_URL).")
    var mailchimpBaseURL: String?

    @Option(help: "Status for contacts new to the audience: subscribed or pending (env COHORTSIM_STATUS_IF_NEW).")
    var statusIfNew: String?

    @Option(help: "How existing contacts are handled: list-statuses (default; never updates them, reads their statuses) or update-existing (opt-in: statuses from the batch-subscribe reply; relies on the unconfirmed assumption U25 that Mailchimp then leaves statuses alone, else unsubscribed contacts are re-subscribed) (env COHORTSIM_EXISTING_CONTACTS).")
    var existingContacts: String?

    /// The resolved settings, or a clear error naming what is missing. Without
    /// `needsMixpanel` (commands that only read the state file: `status`, `history`) missing
    /// Mixpanel credentials are not an error; nothing then talks to Mixpanel.
    func resolve(needsMixpanel: Bool = true) throws -> (configuration: EngineConfiguration, statePath: String) {
        let env = ProcessInfo.processInfo.environment
        let file = try loadConfig()
        func value(_ flag: String?, _ envName: String, _ key: String) -> String? {
            flag ?? env[envName] ?? file[key]
        }
        let projectText = projectID.map(String.init) ?? value(nil, "MIXPANEL_PROJECT_ID", "project_id")
        if let projectText, Int64(projectText) == nil { throw invalidInput("the Mixpanel project id must be a number (got '\(projectText)')") }
        guard let project = projectText.flatMap(Int64.init) ?? (needsMixpanel ? nil : 0) else {
            throw invalidInput("a Mixpanel project id is required (--project-id, MIXPANEL_PROJECT_ID or project_id in --config)")
        }
        let givenUsername = value(serviceAccountUsername, "MIXPANEL_SERVICE_ACCOUNT_USERNAME", "service_account_username")
        let givenSecret = value(serviceAccountSecret, "MIXPANEL_SERVICE_ACCOUNT_SECRET", "service_account_secret")
        guard let username = givenUsername ?? (needsMixpanel ? nil : ""), let secret = givenSecret ?? (needsMixpanel ? nil : "") else {
            throw invalidInput("Mixpanel service-account credentials are required (--service-account-username/--service-account-secret or MIXPANEL_SERVICE_ACCOUNT_USERNAME/MIXPANEL_SERVICE_ACCOUNT_SECRET)")
        }
        let status = value(statusIfNew, "COHORTSIM_STATUS_IF_NEW", "status_if_new") ?? "subscribed"
        guard ["subscribed", "pending"].contains(status) else { throw invalidInput("status_if_new must be subscribed or pending (got '\(status)')") }
        let handlingText = value(existingContacts, "COHORTSIM_EXISTING_CONTACTS", "existing_contacts") ?? ExistingContactHandling.listStatuses.rawValue
        guard let handling = ExistingContactHandling(rawValue: handlingText) else {
            throw invalidInput("existing_contacts must be list-statuses or update-existing (got '\(handlingText)')")
        }
        let access = EngineConfiguration.MixpanelAccess(
            projectID: project, username: username, secret: secret,
            queryURL: value(mixpanelQueryURL, "MIXPANEL_QUERY_URL", "mixpanel_query_url") ?? "https://mixpanel.com/api",
            ingestURL: value(mixpanelIngestURL, "MIXPANEL_INGEST_URL", "mixpanel_ingest_url") ?? "https://api.mixpanel.com")
        let configuration = EngineConfiguration(mixpanel: access,
                                                mailchimpBaseURL: value(mailchimpBaseURL, "MAILCHIMP_BASE_URL", "mailchimp_base_url"),
                                                statusIfNew: status, existingContacts: handling)
        return (configuration, value(state, "COHORTSIM_STATE", "state") ?? "cohortsim-state.sqlite")
    }

    /// Opens the engine on the real clock and AsyncHTTPClient (`needsMixpanel: false` for
    /// commands that only read its state).
    func engine(needsMixpanel: Bool = true) throws -> ExportEngine {
        let (configuration, path) = try resolve(needsMixpanel: needsMixpanel)
        return try ExportEngine(configuration: configuration, transport: AsyncHTTPClientTransport(), clock: SystemClock(),
                                seed: StableHash.fnv1a64(path), databasePath: path)
    }

    /// The keys a `--config` file may set.
    static let configKeys = ["state", "project_id", "service_account_username", "service_account_secret", "mixpanel_query_url",
                             "mixpanel_ingest_url", "mailchimp_base_url", "status_if_new", "existing_contacts"]

    private func loadConfig() throws -> [String: String] {
        guard let config else { return [:] }
        guard let data = FileManager.default.contents(atPath: config) else { throw invalidInput("cannot read config file \(config)") }
        guard let object = try Yams.load(yaml: String(decoding: data, as: UTF8.self)) as? [String: Any] else {
            throw invalidInput("\(config) must be a YAML mapping")
        }
        var values: [String: String] = [:]
        for (key, value) in object {
            guard Self.configKeys.contains(key) else {
                throw invalidInput("\(config): unknown key '\(key)'; allowed: \(Self.configKeys.joined(separator: ", "))")
            }
            values[key] = "\(value)"
        }
        return values
    }
}

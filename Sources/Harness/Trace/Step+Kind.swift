extension Step.Action {
    /// The step kind as written in scenario files (one of ``Step/kinds``). One exhaustive switch:
    /// a new step kind does not compile until it is named here.
    public var kind: String {
        switch self {
        case .connect: "connect"
        case .disconnect: "disconnect"
        case .export: "export"
        case .stopExport: "stop_export"
        case .wait: "wait"
        case .setProfile: "set_profile"
        case .deleteProfile: "delete_profile"
        case .renameCohort: "rename_cohort"
        case .deleteCohort: "delete_cohort"
        case .expect: "expect"
        case .track: "track"
        case .contact: "contact"
        case .campaign: "campaign"
        case .revokeAPIKey: "revoke_api_key"
        case .newAPIKey: "new_api_key"
        case .resume: "resume"
        case .preview: "preview"
        case .deleteAudience: "delete_audience"
        case .crash: "crash"
        case .restart: "restart"
        case .importEngagement: "import_engagement"
        }
    }
}

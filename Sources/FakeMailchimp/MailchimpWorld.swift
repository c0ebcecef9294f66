import SimCore

/// The initial state of a fake Mailchimp account, as a scenario describes it.
public struct MailchimpWorld: Sendable, Equatable {
    /// One audience (list) and its contacts.
    public struct Audience: Sendable, Equatable {
        public var id: String?
        public var name: String
        public var members: [Member]
        /// Merge tags defined on the audience; new audiences get FNAME, LNAME, ADDRESS, PHONE.
        public var mergeFields: [String]

        public init(id: String? = nil, name: String, members: [Member] = [],
                    mergeFields: [String] = ["FNAME", "LNAME", "ADDRESS", "PHONE"]) {
            self.id = id
            self.name = name
            self.members = members
            self.mergeFields = mergeFields
        }
    }

    /// Who unsubscribed a contact: only a contact who unsubscribed themselves is in a compliance state.
    public enum UnsubscribedBy: String, Sendable, Equatable, CaseIterable {
        case contact, admin
    }

    /// A contact already on an audience.
    public struct Member: Sendable, Equatable {
        public var email: String
        public var status: String
        public var unsubscribedBy: UnsubscribedBy
        /// With `status: unsubscribed`: the `unsubscribe_reason` Mailchimp reports (`nil`: the
        /// reason its way of unsubscribing gives, e.g. "N/A (Unsubscribed by admin)").
        public var unsubscribeReason: String? = nil
        public var tags: [String]
        public var mergeFields: [String: String]
        /// The contact was permanently deleted: it is gone, and can never be re-imported.
        public var forgotten: Bool

        public init(email: String, status: String = "subscribed", unsubscribedBy: UnsubscribedBy = .contact,
                    tags: [String] = [], mergeFields: [String: String] = [:], forgotten: Bool = false) {
            self.email = email
            self.status = status
            self.unsubscribedBy = unsubscribedBy
            self.tags = tags
            self.mergeFields = mergeFields
            self.forgotten = forgotten
        }
    }

    /// A deliberate misbehaviour of the fake, for proving that the fuzzer catches what it should
    /// (tests and `docs/fuzzing.md` only; never in a scenario that describes Mailchimp).
    public enum Sabotage: String, Sendable, Equatable, CaseIterable {
        /// Batch subscribe with `update_existing: true` gives existing contacts `status_if_new`
        /// (so an unsubscribed contact is re-subscribed) — the opposite of assumption U25.
        case statusIfNewOverwritesExisting = "status-if-new-overwrites-existing"
    }

    /// Planted misbehaviours (empty: the fake behaves as the real service).
    public var sabotage: [Sabotage] = []

    /// The account's API key, `<32 hex>-<dc>`.
    public var apiKey: String
    public var accountName: String
    public var audiences: [Audience]
    /// Single addresses Mailchimp refuses as "fake or invalid", beyond ``RefusedAddresses/defaults``.
    public var fakeEmails: [String]
    /// Whole domains (and their subdomains) refused as "fake or invalid", beyond the defaults.
    public var refusedDomains: [String] = []
    /// Everything the account refuses as "fake or invalid": the defaults and this world's additions.
    public var refusedAddresses: RefusedAddresses { RefusedAddresses(domains: refusedDomains, addresses: fakeEmails) }

    public init(apiKey: String, accountName: String = "CohortSim Test Account", audiences: [Audience] = [],
                fakeEmails: [String] = []) {
        self.apiKey = apiKey
        self.accountName = accountName
        self.audiences = audiences
        self.fakeEmails = fakeEmails
    }

    /// The member statuses a scenario may give a contact.
    public static let statuses = ["subscribed", "unsubscribed", "cleaned", "pending", "transactional", "archived"]
}

/// The well-formed addresses Mailchimp refuses with 400 `Invalid Resource`,
/// "`<email>` looks fake or invalid, please enter a real email address.".
///
/// The default set follows what the real API is recorded refusing, plus the names RFC 2606
/// reserves (no real mailbox can exist there, so refusing them can never be kinder than the real
/// service). A scenario extends it with `mailchimp.refused_domains` (whole domains) and
/// `mailchimp.fake_emails` (single addresses). A domain also covers its subdomains
/// (`shop.example.com`). Matching ignores case. Sources and decisions: `docs/fidelity.md`.
public struct RefusedAddresses: Sendable, Equatable {
    /// Why a domain is in the default set.
    public enum Basis: String, Sendable, Equatable {
        /// A real API response refusing an address at this domain is recorded in public.
        case recorded
        /// Not recorded; reserved by RFC 2606, so no real address exists there (decision).
        case reserved
    }

    /// One domain of the default set, with the public source of its entry.
    public struct Entry: Sendable, Equatable {
        public let domain: String
        public let basis: Basis
        public let source: String
    }

    /// The domains the fake refuses without being told: each with its source.
    public static let defaults: [Entry] = [
        Entry(domain: "example.com", basis: .recorded,
              source: "grouparoo/grouparoo plugins/@grouparoo/mailchimp/__tests__/fixtures/export/exportRecord.js "
                  + "(POST /3.0/lists/{id}/members foo@example.com -> 400, 2021-11-23); JustFixNYC/tenants2 issue #1554 (fooboo@example.com, 2020)"),
        Entry(domain: "yopmail.com", basis: .recorded,
              source: "VingtCinq/python-mailchimp issue #183 (showpeta@yopmail.com, 2018)"),
        Entry(domain: "example.net", basis: .reserved, source: "RFC 2606 section 3"),
        Entry(domain: "example.org", basis: .reserved, source: "RFC 2606 section 3"),
    ]

    /// Top-level domains RFC 2606 section 2 reserves; every address under them is refused (decision).
    public static let reservedTopLevelDomains: Set<String> = ["test", "example", "invalid", "localhost"]

    /// Refused domains (lower-cased): the defaults and the scenario's.
    public let domains: Set<String>
    /// Refused single addresses (lower-cased).
    public let addresses: Set<String>

    /// The default set, extended by `domains` and `addresses` (compared without regard to case).
    public init(domains: [String] = [], addresses: [String] = []) {
        self.domains = Set(Self.defaults.map(\.domain) + domains.map { $0.lowercased() })
        self.addresses = Set(addresses.map { $0.lowercased() })
    }

    /// Whether Mailchimp refuses this (well-formed) address as fake.
    public func refuses(_ email: String) -> Bool {
        let lower = email.lowercased()
        if addresses.contains(lower) { return true }
        guard let at = lower.lastIndex(of: "@") else { return false }
        var domain = Substring(lower[lower.index(after: at)...])
        if let tld = domain.split(separator: ".").last, Self.reservedTopLevelDomains.contains(String(tld)) { return true }
        while true {
            if domains.contains(String(domain)) { return true }
            guard let dot = domain.firstIndex(of: ".") else { return false }
            domain = domain[domain.index(after: dot)...]
        }
    }
}

import SimHTTP

/// Which fake a real API host belongs to, for ``ForwardProxy``.
public enum ProxyTarget: String, Sendable, CaseIterable {
    case mailchimp
    case mixpanel

    /// Mixpanel's API hosts: the US residency's and the EU and India residencies' variants.
    public static let mixpanelHosts: Set<String> = [
        "mixpanel.com", "api.mixpanel.com", "data.mixpanel.com",
        "eu.mixpanel.com", "api-eu.mixpanel.com", "data-eu.mixpanel.com",
        "in.mixpanel.com", "api-in.mixpanel.com", "data-in.mixpanel.com",
    ]

    /// The target of `host` (case-insensitive), or `nil` for any other host: `<dc>.api.mailchimp.com`
    /// (a data centre such as `us6`) is Mailchimp; ``mixpanelHosts`` are Mixpanel.
    public init?(host: String) {
        let host = host.lowercased()
        if Self.mixpanelHosts.contains(host) {
            self = .mixpanel
            return
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count == 4, labels[1] == "api", labels[2] == "mailchimp", labels[3] == "com",
              Self.isDataCentre(labels[0]) else { return nil }
        self = .mailchimp
    }

    /// `us6`, `us21`: letters then digits.
    private static func isDataCentre(_ label: Substring) -> Bool {
        guard let firstDigit = label.firstIndex(where: \.isNumber), firstDigit != label.startIndex else { return false }
        return label[..<firstDigit].allSatisfy { $0.isASCII && $0.isLetter } && label[firstDigit...].allSatisfy { $0.isASCII && $0.isNumber }
    }
}

/// The handlers the proxy hands requests to, one per ``ProxyTarget``.
public struct ProxyRoutes: Sendable {
    public let mailchimp: any HTTPHandler
    public let mixpanel: any HTTPHandler

    public init(mailchimp: any HTTPHandler, mixpanel: any HTTPHandler) {
        self.mailchimp = mailchimp
        self.mixpanel = mixpanel
    }

    /// The handler for `host`, or `nil` when the proxy refuses it.
    public func handler(for host: String) -> (any HTTPHandler)? {
        switch ProxyTarget(host: host) {
        case .mailchimp?: mailchimp
        case .mixpanel?: mixpanel
        case nil: nil
        }
    }
}

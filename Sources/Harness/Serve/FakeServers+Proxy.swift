import Foundation
import SimCore
import SimProxy

extension FakeServers {
    /// Starts an HTTPS forward proxy on loopback `port` (0: ephemeral) that routes the real
    /// Mailchimp and Mixpanel hosts to these fakes (in process, through the same handlers the
    /// loopback servers use: journalled, reset with them) and refuses every other host, and writes its per-run CA certificate to
    /// `caFile`.
    public func startProxy(port: Int, caFile: String) async throws -> ForwardProxy {
        let authority = try ProxyCertificateAuthority()
        try Data(authority.pem.utf8).write(to: URL(fileURLWithPath: caFile))
        // Through the served fakes, so proxied requests are journalled and follow a reset.
        return try await ForwardProxy.start(routes: ProxyRoutes(mailchimp: ServedFake(state: state, service: .mailchimp),
                                                                mixpanel: ServedFake(state: state, service: .mixpanel)), port: port,
                                            authority: authority)
    }
}

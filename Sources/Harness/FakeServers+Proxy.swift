import Foundation
import SimCore
import SimProxy

extension FakeServers {
    /// Starts an HTTPS forward proxy on loopback `port` (0: ephemeral) that routes the real
    /// Mailchimp and Mixpanel hosts to these fakes (in process, the same instances the loopback
    /// servers serve) and refuses every other host, and writes its per-run CA certificate to
    /// `caFile`.
    public func startProxy(port: Int, caFile: String) async throws -> ForwardProxy {
        let authority = try ProxyCertificateAuthority()
        try Data(authority.pem.utf8).write(to: URL(fileURLWithPath: caFile))
        return try await ForwardProxy.start(routes: ProxyRoutes(mailchimp: mailchimp, mixpanel: mixpanel), port: port,
                                            authority: authority)
    }
}

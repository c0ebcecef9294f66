import Crypto
import Foundation
import NIOSSL
import Synchronization
import SwiftASN1
import X509

/// A certificate authority made for one run of the proxy, and the TLS server contexts of the
/// hosts it impersonates, each with a leaf certificate it signs.
///
/// Keys are fresh P-256 keys from the system's secure generator (a CA must not be predictable;
/// nothing deterministic depends on them). Clients trust the CA through ``pem``, written to a file.
public final class ProxyCertificateAuthority: Sendable {
    /// The CA's signing key (X509's Sendable wrapper of a P-256 key).
    private let key: Certificate.PrivateKey
    private let name: DistinguishedName
    private let certificate: Certificate
    private let keyIdentifier: ArraySlice<UInt8>
    private let notValidBefore: Date
    private let notValidAfter: Date
    private let contexts = Mutex<[String: NIOSSLContext]>([:])

    /// The CA certificate, PEM-encoded.
    public let pem: String

    /// Makes a new authority, valid from an hour ago for seven days.
    public init() throws {
        // Certificate validity is checked by clients against their real clock.
        let now = Date()  // wall-clock ok: a CA's validity window must hold in real time
        notValidBefore = now.addingTimeInterval(-3600)
        notValidAfter = now.addingTimeInterval(7 * 86400)
        let caKey = P256.Signing.PrivateKey()
        key = Certificate.PrivateKey(caKey)
        let name = try DistinguishedName {
            OrganizationName("CohortSim")
            CommonName("CohortSim proxy CA (one run)")
        }
        self.name = name
        let identifier = ArraySlice(Insecure.SHA1.hash(data: caKey.publicKey.derRepresentation))
        keyIdentifier = identifier
        certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(caKey.publicKey),
            notValidBefore: notValidBefore, notValidAfter: notValidAfter, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(keyIdentifier: identifier)
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))
        pem = try certificate.serializeAsPEM().pemString
    }

    /// The TLS server context for `host`: a leaf certificate for it (made once, then reused).
    public func serverContext(for host: String) throws -> NIOSSLContext {
        let host = host.lowercased()
        if let cached = contexts.withLock({ $0[host] }) { return cached }
        let leafKey = P256.Signing.PrivateKey()
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(leafKey.publicKey),
            notValidBefore: notValidBefore, notValidAfter: notValidAfter, issuer: name,
            subject: try DistinguishedName { CommonName(host) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.dnsName(host)])
                AuthorityKeyIdentifier(keyIdentifier: keyIdentifier)
                SubjectKeyIdentifier(keyIdentifier: ArraySlice(Insecure.SHA1.hash(data: leafKey.publicKey.derRepresentation)))
            },
            issuerPrivateKey: key)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try Self.nioCertificate(leaf))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(leafKey.pemRepresentation.utf8), format: .pem)))
        configuration.applicationProtocols = ["http/1.1"]
        let context = try NIOSSLContext(configuration: configuration)
        contexts.withLock { $0[host] = context }
        return context
    }

    private static func nioCertificate(_ certificate: Certificate) throws -> NIOSSLCertificate {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der)
    }
}

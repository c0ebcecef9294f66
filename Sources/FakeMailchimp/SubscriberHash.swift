import Crypto
import Foundation

/// Mailchimp's member id: the MD5 (hex) of the lower-cased address.
public func subscriberHash(_ email: String) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var hex: [UInt8] = []
    hex.reserveCapacity(32)
    for byte in Insecure.MD5.hash(data: Data(email.lowercased().utf8)) {
        hex.append(digits[Int(byte >> 4)])
        hex.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: hex, as: UTF8.self)
}

/// Address checks Mailchimp applies before accepting a contact.
enum EmailCheck {
    /// A rough RFC 5322 shape check: one `@`, a non-empty local part, a dotted domain, no spaces.
    static func isWellFormed(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return false }
        return !email.contains(where: { $0 == " " || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" || $0.isNewline })
    }
}

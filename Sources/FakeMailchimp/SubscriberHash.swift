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
        isWellFormedASCII(email) ?? isWellFormedCharacters(email)
    }

    /// The check on `Character`s, for any address.
    static func isWellFormedCharacters(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return false }
        return !email.contains(where: { $0 == " " || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" || $0.isNewline })
    }

    /// The same check on the bytes of an ASCII address (each byte is then one `Character`), or
    /// `nil` for any other address (where a combining mark can join a space or `@` into another
    /// `Character`). A line break (LF, VT, FF, CR) fails the check either way, so the CR LF
    /// cluster need not be told apart.
    static func isWellFormedASCII(_ email: String) -> Bool? {
        var at: Int?
        var ats = 0
        var forbidden = false
        var count = 0
        for byte in email.utf8 {
            guard byte < 0x80 else { return nil }
            switch byte {
            case 0x0A...0x0D, UInt8(ascii: " "), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "<"), UInt8(ascii: ">"):
                forbidden = true
            case UInt8(ascii: "@"):
                ats += 1
                at = count
            default: break
            }
            count += 1
        }
        guard !forbidden, ats == 1 else { return false }
        guard let at, at > 0, at <= 64 else { return false }
        let domain = email.utf8.dropFirst(at + 1)
        guard domain.first != UInt8(ascii: "."), domain.last != UInt8(ascii: ".") else { return false }
        var previous: UInt8 = 0
        var dotted = false
        for byte in domain {
            if byte == UInt8(ascii: ".") {
                if previous == byte { return false }
                dotted = true
            }
            previous = byte
        }
        return dotted
    }
}

import Crypto
import Foundation

/// Mailchimp's member id: the MD5 (lower-case hex) of the lower-cased address.
///
/// MD5 comes from swift-crypto's `Insecure.MD5`; it is used only as Mailchimp's member key,
/// never for security.
func subscriberHash(_ email: String) -> String {
    md5Hex(Data(email.lowercased().utf8))
}

/// The MD5 of `data` as 32 lower-case hex digits.
func md5Hex(_ data: Data) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var hex: [UInt8] = []
    hex.reserveCapacity(32)
    for byte in Insecure.MD5.hash(data: data) {
        hex.append(digits[Int(byte >> 4)])
        hex.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: hex, as: UTF8.self)
}

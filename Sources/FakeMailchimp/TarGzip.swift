import Foundation

/// A minimal `.tar.gz` writer for batch results: ustar entries inside a gzip member whose
/// deflate stream uses stored (uncompressed) blocks, which every gzip reader accepts.
enum TarGzip {
    /// One archive entry: a directory when `contents` is nil.
    struct Entry {
        var name: String
        var contents: Data?
    }

    static func archive(_ entries: [Entry], modified: Int64) -> Data {
        gzip(tar(entries, modified: modified), modified: modified)
    }

    static func tar(_ entries: [Entry], modified: Int64) -> Data {
        var out = Data()
        for entry in entries {
            out.append(header(entry, modified: modified))
            if let contents = entry.contents {
                out.append(contents)
                out.append(Data(count: (512 - contents.count % 512) % 512))
            }
        }
        out.append(Data(count: 1024))
        return out
    }

    private static func header(_ entry: Entry, modified: Int64) -> Data {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (i, byte) in text.utf8.prefix(width).enumerated() { block[offset + i] = byte }
        }
        func octal(_ value: Int64, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        }
        put(entry.name, at: 0, width: 100)
        put(octal(entry.contents == nil ? 0o755 : 0o644, width: 8), at: 100, width: 7)
        put(octal(0, width: 8), at: 108, width: 7)
        put(octal(0, width: 8), at: 116, width: 7)
        put(octal(Int64(entry.contents?.count ?? 0), width: 12), at: 124, width: 11)
        put(octal(modified, width: 12), at: 136, width: 11)
        put("        ", at: 148, width: 8)
        block[156] = entry.contents == nil ? UInt8(ascii: "5") : UInt8(ascii: "0")
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        let sum = block.reduce(0) { $0 + Int64($1) }
        put(octal(sum, width: 7), at: 148, width: 6)
        block[154] = 0
        block[155] = UInt8(ascii: " ")
        return Data(block)
    }

    static func gzip(_ data: Data, modified: Int64) -> Data {
        var out = Data([0x1f, 0x8b, 0x08, 0x00])
        out.append(littleEndian: UInt32(truncatingIfNeeded: modified))
        out.append(contentsOf: [0x00, 0x03])
        let bytes = [UInt8](data)
        var offset = 0
        repeat {
            let length = min(65535, bytes.count - offset)
            let last = offset + length >= bytes.count
            out.append(last ? 0x01 : 0x00)
            out.append(littleEndian: UInt16(length))
            out.append(littleEndian: ~UInt16(length))
            out.append(contentsOf: bytes[offset..<offset + length])
            offset += length
        } while offset < bytes.count
        out.append(littleEndian: crc32(bytes))
        out.append(littleEndian: UInt32(truncatingIfNeeded: bytes.count))
        return out
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

extension Data {
    mutating func append<T: FixedWidthInteger>(littleEndian value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

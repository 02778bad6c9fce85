/// Azure Storage's CRC-64 (`x-ms-content-crc64`): the CRC-64/NVME variant — reflected polynomial
/// 0x9A6C9329AC4BC9B5, register and result inverted — whose check value (of "123456789") is
/// 0xAE8B14860A799888. The header carries base64 of the 8 bytes little-endian (`bytes`).
/// Table-driven, 16 bytes a step (slicing-by-16): a far cheaper per-request check than MD5.
public struct CRC64: Sendable {
    static let polynomial: UInt64 = 0x9A6C_9329_AC4B_C9B5

    /// 16 tables of 256: table k maps a byte to the CRC of that byte followed by k zero bytes.
    static let tables: [UInt64] = {
        var tables = [UInt64](repeating: 0, count: 16 * 256)
        for byte in 0..<256 {
            var crc = UInt64(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
            tables[byte] = crc
        }
        for k in 1..<16 {
            for byte in 0..<256 {
                let previous = tables[(k - 1) * 256 + byte]
                tables[k * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xff)]
            }
        }
        return tables
    }()

    /// The CRC of what has been added so far.
    public private(set) var value: UInt64 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        let crc = value
        value = Self.tables.withUnsafeBufferPointer { Self.crc(crc, bytes, table: $0.baseAddress!) }
    }

    /// The loop, on locals only (nothing captured, so the register holding the CRC is never spilled).
    private static func crc(_ initial: UInt64, _ bytes: UnsafeRawBufferPointer, table t: UnsafePointer<UInt64>) -> UInt64 {
        var p = bytes.baseAddress!
        var count = bytes.count
        var crc = ~initial
        while count >= 16 {
            let a = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) ^ crc
            let b = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            crc = t[15 * 256 + Int(a & 0xff)] ^ t[14 * 256 + Int((a >> 8) & 0xff)]
                ^ t[13 * 256 + Int((a >> 16) & 0xff)] ^ t[12 * 256 + Int((a >> 24) & 0xff)]
                ^ t[11 * 256 + Int((a >> 32) & 0xff)] ^ t[10 * 256 + Int((a >> 40) & 0xff)]
                ^ t[9 * 256 + Int((a >> 48) & 0xff)] ^ t[8 * 256 + Int(a >> 56)]
                ^ t[7 * 256 + Int(b & 0xff)] ^ t[6 * 256 + Int((b >> 8) & 0xff)]
                ^ t[5 * 256 + Int((b >> 16) & 0xff)] ^ t[4 * 256 + Int((b >> 24) & 0xff)]
                ^ t[3 * 256 + Int((b >> 32) & 0xff)] ^ t[2 * 256 + Int((b >> 40) & 0xff)]
                ^ t[256 + Int((b >> 48) & 0xff)] ^ t[Int(b >> 56)]
            p += 16
            count &-= 16
        }
        while count > 0 {
            crc = (crc >> 8) ^ t[Int((crc ^ UInt64(p.load(as: UInt8.self))) & 0xff)]
            p += 1
            count &-= 1
        }
        return ~crc
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The CRC as the header sends it: 8 bytes, least significant first.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}

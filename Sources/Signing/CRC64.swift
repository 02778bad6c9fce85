import CCrypto

/// Azure Storage's CRC-64 (`x-ms-content-crc64`): the CRC-64/NVME variant — reflected polynomial
/// 0x9A6C9329AC4BC9B5, register and result inverted — whose check value (of "123456789") is
/// 0xAE8B14860A799888. The header carries base64 of the 8 bytes little-endian (`bytes`).
/// Folded with the processor's carry-less multiplication where it has it (a tenth of a SHA-256's cost per byte),
/// else from a table: a far cheaper per-request check than MD5.
public struct CRC64: Sendable {
    /// The CRC of what has been added so far.
    public private(set) var value: UInt64 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        value = sb_crc64nvme(value, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The CRC as the header sends it: 8 bytes, least significant first.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// The table-only computation, whatever the processor has: lets tests check the folding path against it.
    public static func portable(_ data: [UInt8]) -> UInt64 {
        data.withUnsafeBytes { sb_crc64nvme_portable(0, $0.bindMemory(to: UInt8.self).baseAddress, $0.count) }
    }
}

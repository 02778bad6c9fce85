import CCrypto

/// CRC-32C (Castagnoli), the checksum S3 verifies from `x-amz-checksum-crc32c`: cheap enough to cover every byte
/// sent (the processor's CRC instruction where it has one) where a SHA-256 of the payload would double the CPU.
public struct CRC32C: Sendable, Equatable {
    public private(set) var value: UInt32 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        value = sb_crc32c(value, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The value as S3 sends it before base64: four bytes, most significant first.
    public var bytes: [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    public static func checksum<Bytes: Collection>(_ data: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var crc = CRC32C()
        crc.update(Array(data))
        return crc.bytes
    }

    /// The table-only computation, whatever the processor has: lets tests check the instruction path against it.
    public static func portable(_ data: [UInt8]) -> UInt32 {
        data.withUnsafeBytes { sb_crc32c_portable(0, $0.bindMemory(to: UInt8.self).baseAddress, $0.count) }
    }
}

import Foundation
import Signing
import Testing

/// Azure's CRC-64, against CRC-64/NVME's published check value and values computed by the azure-storage-blob
/// SDK's own code (azure-storage-extensions' `checksums.crc64.compute(data, 0)`, base64 of 8 bytes little-endian).
@Suite struct CRC64Tests {
    static func crc(_ bytes: [UInt8]) -> CRC64 {
        var crc = CRC64()
        crc.update(bytes)
        return crc
    }

    @Test func publishedCheckValueAndEmptyInput() {
        #expect(Self.crc(Array("123456789".utf8)).value == 0xAE8B_1486_0A79_9888)
        #expect(Self.crc([]).value == 0)
        #expect(Self.crc([]).bytes == [UInt8](repeating: 0, count: 8))
    }

    @Test func valuesTheSDKComputesAsTheHeaderSendsThem() {
        #expect(Data(Self.crc(Array("abc".utf8)).bytes).base64EncodedString() == "6/rBP7vK5QU=")
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        #expect(Self.crc(bytes).value == 0x9A9A_1592_2194_C6CA)
        #expect(Data(Self.crc(bytes).bytes).base64EncodedString() == "ysaUIZIVmpo=")
        #expect(Digest.digest(.crc64, bytes) == Self.crc(bytes).bytes)
    }

    @Test func anySplitGivesTheSameValue() {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        let whole = Self.crc(bytes).value
        for split in [0, 1, 7, 15, 16, 17, 33, 150, 299, 300] {
            var hasher = DigestHasher(.crc64)
            hasher.update(Array(bytes[..<split]))
            hasher.update(Array(bytes[split...]))
            let value = hasher.finish().reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            #expect(value == whole, "split at \(split)")
        }
    }

    /// Every length around the folding path's steps (64-byte blocks, 16-byte tail, 8-byte table steps), from
    /// several offsets, continued from a running value: the folding path equals the table's.
    @Test func theFoldingPathAgreesWithTheTable() {
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        for offset in [0, 1, 3, 8] {
            for length in [0, 1, 15, 16, 63, 64, 65, 79, 80, 127, 128, 129, 200, 1000, 4096, 4990] {
                let slice = Array(bytes[offset..<(offset + length)])
                #expect(Self.crc(slice).value == CRC64.portable(slice), "offset \(offset), length \(length)")
                var running = CRC64()
                running.update(Array(slice.prefix(length / 2)))
                running.update(Array(slice.dropFirst(length / 2)))
                #expect(running.value == CRC64.portable(slice), "split, offset \(offset), length \(length)")
            }
        }
    }
}

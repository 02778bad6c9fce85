import Signing
import Testing

@Suite struct CRC32CTests {
    @Test func thePublishedCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == [0xE3, 0x06, 0x92, 0x83])
        #expect(CRC32C.portable(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == [0, 0, 0, 0])
        // RFC 3720 B.4: 32 bytes of zeros, and of 0xFF.
        #expect(CRC32C.portable([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == [0x62, 0xA8, 0xAB, 0x43])
    }

    @Test func chunkedUpdatesAndEveryLengthAgreeWithTheTable() {
        let bytes = (0..<4099).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 5) }
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4099] {
            let slice = Array(bytes.prefix(length))
            var crc = CRC32C()
            let cut = length / 3
            crc.update(Array(slice[..<cut]))
            crc.update(Array(slice[cut...]))
            #expect(crc.value == CRC32C.portable(slice), "length \(length)")
            #expect(crc.bytes == CRC32C.checksum(slice))
        }
    }

    /// Lengths past the three-stream spans (3 × 8 KiB and 3 × 256 bytes) and between them: the combined streams
    /// equal the table's value.
    @Test func threeStreamLengthsAgreeWithTheTable() {
        let bytes = (0..<60_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 11) }
        for length in [767, 768, 769, 1000, 24_575, 24_576, 24_577, 25_344, 49_152, 59_999] {
            let slice = Array(bytes.prefix(length))
            var crc = CRC32C()
            crc.update(slice)
            #expect(crc.value == CRC32C.portable(slice), "length \(length)")
        }
    }
}

import Foundation
import Signing
import Testing
import Transport

@Suite struct BlockDigestsTests {
    func events(
        _ bytes: [UInt8], offset: Int64 = 0, length: Int64? = nil, blockSize: Int64, algorithm: DigestHasher.Algorithm = .md5
    ) async throws -> [BlockDigests.Event] {
        let path = NSTemporaryDirectory() + "block-digests-" + UUID().uuidString
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var found: [BlockDigests.Event] = []
        for try await event in BlockDigests.read(
            path: path, offset: offset, length: length ?? Int64(bytes.count) - offset, blockSize: blockSize, algorithm: algorithm) {
            found.append(event)
        }
        return found
    }

    @Test func oneReadGivesEachBlocksDigestInOrderThenTheWholeHash() async throws {
        let bytes = (0..<(2_500_000)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let size = 1 << 20
        let expected = stride(from: 0, to: bytes.count, by: size).enumerated().map { index, start in
            BlockDigests.Event.block(index: index, digest: Digest.md5(bytes[start..<min(start + size, bytes.count)]))
        } + [.whole(sha256: Digest.sha256(bytes))]
        #expect(try await events(bytes, blockSize: Int64(size)) == expected)
    }

    @Test func aRangeAndAnEmptyFile() async throws {
        let bytes = Array("0123456789".utf8)
        #expect(try await events(bytes, offset: 2, length: 5, blockSize: 2) == [
            .block(index: 0, digest: Digest.md5(Array("23".utf8))), .block(index: 1, digest: Digest.md5(Array("45".utf8))),
            .block(index: 2, digest: Digest.md5(Array("6".utf8))), .whole(sha256: Digest.sha256(Array("23456".utf8))),
        ])
        #expect(try await events([], blockSize: 4) == [.block(index: 0, digest: Digest.md5([UInt8]())), .whole(sha256: Digest.sha256([UInt8]()))])
    }

    @Test func crc32cBlocksWithTheWholeSHA256() async throws {
        let bytes = Array("0123456789".utf8)
        let path = NSTemporaryDirectory() + "block-digests-" + UUID().uuidString
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (crcs, sha256) = try await BlockDigests.forEachBlock(path: path, length: 10, blockSize: 4, algorithm: .crc32c, width: 2) { _, crc in crc }
        #expect(crcs == [CRC32C.checksum(Array("0123".utf8)), CRC32C.checksum(Array("4567".utf8)), CRC32C.checksum(Array("89".utf8))])
        #expect(sha256 == Digest.sha256(bytes))
    }

    @Test func blocksByCRC64WithTheWholeSHA256() async throws {
        let bytes = (0..<(2_500_000)).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ $0 >> 7) }
        let size = 1 << 20
        let expected = stride(from: 0, to: bytes.count, by: size).enumerated().map { index, start in
            BlockDigests.Event.block(index: index, digest: Digest.digest(.crc64, bytes[start..<min(start + size, bytes.count)]))
        } + [.whole(sha256: Digest.sha256(bytes))]
        #expect(try await events(bytes, blockSize: Int64(size), algorithm: .crc64) == expected)
    }

    @Test func aFileShorterThanSaidFails() async throws {
        await #expect(throws: TransportError.self) { try await events(Array("abc".utf8), offset: 0, length: 10, blockSize: 4) }
    }

    /// A range of several chunks has its SHA-256 run beside the read: blocks that do not line up with the chunks,
    /// from an offset, give the same values as hashing the bytes in one piece.
    @Test func theSHA256BesideTheReadMatchesOnePass() async throws {
        let bytes = (0..<(5_300_001)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 17) }
        let path = NSTemporaryDirectory() + "block-digests-" + UUID().uuidString
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let offset = 12_345
        let range = Array(bytes[offset...])
        let block = 1_572_864 + 7
        let (crcs, sha256) = try await BlockDigests.forEachBlock(
            path: path, offset: Int64(offset), length: Int64(range.count), blockSize: Int64(block), algorithm: .crc32c, width: 3
        ) { _, crc in crc }
        #expect(crcs == stride(from: 0, to: range.count, by: block).map { CRC32C.checksum(range[$0..<min($0 + block, range.count)]) })
        #expect(sha256 == Digest.sha256(range))
    }

    /// A long read that fails, or whose reader stops listening, ends both threads: neither waits for the other.
    @Test func aLongReadThatFailsOrIsLeftEndsBothThreads() async throws {
        let bytes = [UInt8](repeating: 7, count: 3 << 20)
        await #expect(throws: TransportError.self) { try await events(bytes, length: 9 << 20, blockSize: 1 << 20) }
        let path = NSTemporaryDirectory() + "block-digests-" + UUID().uuidString
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        for try await event in BlockDigests.read(path: path, length: Int64(bytes.count), blockSize: 1 << 19, algorithm: .md5) {
            if case .block = event { break }
        }
    }
}

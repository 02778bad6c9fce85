import Signing
import Testing
@testable import Transport

/// The relay a blocking reader (a download's writer) feeds a digest running on a pool thread beside it.
@Suite struct DigestRelayTests {
    @Test func theDigestOnAPoolThreadIsTheDigestOfEveryChunkInOrder() {
        let bytes = (0..<1_000_003).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let relay = DigestRelay(.sha256, buffers: 3, size: 4096)
        relay.digestOnPoolThread(priority: nil)
        var offset = 0
        while offset < bytes.count, let (index, buffer) = relay.emptyBuffer() {
            let count = min(buffer.count - offset % 7, bytes.count - offset)  // chunks of varying lengths
            bytes[offset..<offset + count].withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
            relay.pass(index, count: count)
            offset += count
        }
        relay.finish()
        #expect(relay.awaitDigest() == Digest.sha256(bytes))
    }

    @Test func anAbandonedDigestEndsWithoutAResult() {
        let relay = DigestRelay(.sha256, buffers: 2, size: 16)
        relay.digestOnPoolThread(priority: nil)
        if let (index, _) = relay.emptyBuffer() { relay.pass(index, count: 16) }
        relay.abandon()
        #expect(relay.awaitDigest() == nil)
        #expect(relay.emptyBuffer() == nil)
    }
}

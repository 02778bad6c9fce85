import Foundation
import Signing
import Testing
@testable import Transport

@Suite struct FilePartDigestsTests {
    @Test func onePassHashesEachPieceAndTheWholeRange() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/data.bin"
        let bytes = (0..<3_500_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let range = 100..<3_400_100
        let digests = try FilePartDigests(path: path, offset: Int64(range.lowerBound), length: Int64(range.count))
        var pieces: [[UInt8]] = []
        for start in stride(from: range.lowerBound, to: range.upperBound, by: 1_500_000) {
            let end = min(start + 1_500_000, range.upperBound)
            #expect(digests.finish() == nil)
            pieces.append(try await digests.next(length: Int64(end - start)))
            #expect(pieces.last == Digest.sha256(bytes[start..<end]))
        }
        #expect(pieces.count == 3)
        #expect(digests.finish() == Digest.sha256(bytes[range]))
        #expect(digests.finish() == nil)
    }

    @Test func aFileShorterThanItsRangeFailsLocally() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/short.bin"
        try Data(repeating: 1, count: 100).write(to: URL(fileURLWithPath: path))
        let digests = try FilePartDigests(path: path, length: 1000)
        let error = await #expect(throws: TransportError.self) { try await digests.next(length: 1000) }
        #expect(error?.kind == .local)
        #expect(throws: TransportError.self) { try FilePartDigests(path: folder.path + "/missing", length: 1) }
    }
}

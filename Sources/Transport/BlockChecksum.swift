import Signing

/// What each block of a `BlockDigests` read is checked with: a digest (SHA-256, MD5), or CRC-32C, which costs a
/// small fraction of a SHA-256 and so keeps the whole range's SHA-256 the only cryptographic pass over its bytes.
public enum BlockChecksum: Sendable, Equatable {
    case digest(DigestHasher.Algorithm)
    case crc32c

    var digestAlgorithm: DigestHasher.Algorithm? {
        if case .digest(let algorithm) = self { return algorithm }
        return nil
    }
}

import CCrypto

/// SHA-256, MD5 and HMAC-SHA256 over libcrypto (and the CRC-64 and CRC-32C), plus the encodings signatures use.
public enum Digest {
    public static func sha256<Bytes: Collection>(_ data: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        digest(.sha256, data)
    }

    public static func md5<Bytes: Collection>(_ data: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        digest(.md5, data)
    }

    public static func digest<Bytes: Collection>(_ algorithm: DigestHasher.Algorithm, _ data: Bytes) -> [UInt8]
    where Bytes.Element == UInt8 {
        var hasher = DigestHasher(algorithm)
        hasher.update(Array(data))
        return hasher.finish()
    }

    public static func hmacSHA256<Key: Collection, Bytes: Collection>(key: Key, _ data: Bytes) -> [UInt8]
    where Key.Element == UInt8, Bytes.Element == UInt8 {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let keyBytes = Array(key)
        let input = Array(data)
        keyBytes.withUnsafeBytes { k in
            input.withUnsafeBytes { d in
                _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), d.bindMemory(to: UInt8.self).baseAddress, d.count, &out, &length)
            }
        }
        return Array(out.prefix(Int(length)))
    }

    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        // Written out rather than String(format:) per byte, which cost more than the rest of a small file's put.
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// An incremental digest, for hashing a file range in chunks without holding it.
public struct DigestHasher: ~Copyable {
    public enum Algorithm: Sendable {
        case sha256, md5
        /// Azure's CRC-64 (`CRC64`), not a libcrypto digest: its 8 bytes little-endian.
        case crc64
        /// S3's and GCS's CRC-32C (`CRC32C`), not a libcrypto digest: its 4 bytes most significant first.
        case crc32c
    }

    private let algorithm: Algorithm
    /// The libcrypto context; nil for the CRCs, which are kept in `crc64` or `crc32c`.
    private let context: OpaquePointer?
    private var crc64 = CRC64()
    private var crc32c = CRC32C()

    public init(_ algorithm: Algorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .crc64, .crc32c:
            context = nil
        case .sha256, .md5:
            context = EVP_MD_CTX_new()
            EVP_DigestInit_ex(context, algorithm == .sha256 ? EVP_sha256() : EVP_md5(), nil)
        }
    }

    deinit { if let context { EVP_MD_CTX_free(context) } }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch algorithm {
        case .crc64: crc64.update(bytes)
        case .crc32c: crc32c.update(bytes)
        case .sha256, .md5: EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
        }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public consuming func finish() -> [UInt8] {
        switch algorithm {
        case .crc64: return crc64.bytes
        case .crc32c: return crc32c.bytes
        case .sha256, .md5:
            var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
            var length: UInt32 = 0
            EVP_DigestFinal_ex(context, &out, &length)
            return Array(out.prefix(Int(length)))
        }
    }
}

import Foundation
import Signing
import Transport

/// One stored object as a listing or a stat shows it.
public struct ObjectInfo: Sendable, Equatable {
    /// Relative to the store's base path.
    public var key: String
    public var size: Int64
    /// When the object was last written, when the store tells.
    public var modified: Date?

    public init(key: String, size: Int64, modified: Date? = nil) {
        self.key = key
        self.size = size
        self.modified = modified
    }
}

/// The size and SHA-256 of bytes as they were read (for a put) or written (for a get).
public struct ContentDigest: Sendable, Equatable {
    public var size: Int64
    public var sha256: [UInt8]
    /// Whether the store's own answer to the put proved the object holds exactly these `size` bytes (a
    /// server-verified checksum of every byte, say), so no separate look at the object is needed to know it.
    /// Says how the content was stored, not what it is: equality ignores it.
    public var sizeConfirmed: Bool

    public init(size: Int64, sha256: [UInt8], sizeConfirmed: Bool = false) {
        self.size = size
        self.sha256 = sha256
        self.sizeConfirmed = sizeConfirmed
    }

    public static func == (lhs: ContentDigest, rhs: ContentDigest) -> Bool {
        lhs.size == rhs.size && lhs.sha256 == rhs.sha256
    }

    /// Lowercase hex of the SHA-256.
    public var sha256Hex: String { Digest.hex(sha256) }
}

/// A byte range of a file on this machine: what a put reads from.
///
/// With `file`, the file is already open and every read goes through that one descriptor: a file renamed over,
/// removed or replaced meanwhile cannot mix another version into what is read. `path` then only names it.
public struct FileRange: Sendable, Equatable {
    public var path: String
    public var offset: Int64
    public var length: Int64
    public var file: OpenFile?
    /// The open file's identity when the caller opened it: a store checks it still holds before it makes an
    /// object of the bytes visible (`checkUnchanged`), so a file rewritten in place mid-read is never committed.
    public var identity: FileIdentity?

    public init(path: String, offset: Int64 = 0, length: Int64, file: OpenFile? = nil, identity: FileIdentity? = nil) {
        self.path = path
        self.offset = offset
        self.length = length
        self.file = file
        self.identity = identity
    }
}

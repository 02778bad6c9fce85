import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What tells one version of a file from another without reading it: which inode, how long, when last
/// written, when last changed in any way. A file rewritten in place, truncated, grown or replaced by a rename
/// shows a different identity.
public struct FileIdentity: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modifiedNanoseconds: Int64
    public var changedNanoseconds: Int64

    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        modifiedNanoseconds = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        changedNanoseconds = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
    }

    /// The identity of the file `path` (bytes, any name) leads to now, links followed; nil when there is none.
    public static func of(path: [UInt8]) -> FileIdentity? {
        var status = stat()
        return DirectoryWalk.withCString(path) { stat($0, &status) } == 0 ? FileIdentity(status) : nil
    }

    /// What differs between this identity and `later`, for an error message; nil when nothing does.
    public func difference(to later: FileIdentity?) -> String? {
        guard let later else { return "it was removed" }
        if later.device != device || later.inode != inode { return "it was replaced by another file" }
        if later.size > size { return "it grew from \(size) to \(later.size) bytes" }
        if later.size < size { return "it shrank from \(size) to \(later.size) bytes" }
        if later.modifiedNanoseconds != modifiedNanoseconds || later.changedNanoseconds != changedNanoseconds {
            return "it was rewritten"
        }
        return nil
    }
}

extension OpenFile {
    /// Opens `path` for reading once; every later read of the file goes through this descriptor.
    public static func open(path: String) throws -> OpenFile {
        try DirectoryWalk.open(Array(path.utf8), name: path)
    }

    /// The identity of the open file itself (not of whatever its path leads to now).
    public func identity() -> FileIdentity? {
        var status = stat()
        return fstat(descriptor, &status) == 0 ? FileIdentity(status) : nil
    }

    /// Reads up to `count` bytes at `offset` into `buffer`; retries an interrupted read. Safe from several
    /// threads at once: it never moves the descriptor's position.
    public func read(into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int64) -> Int {
        var got = -1
        repeat { got = pread(descriptor, buffer, count, off_t(offset)) } while got < 0 && errno == EINTR
        return got
    }
}

extension OpenFile: Equatable {
    public static func == (lhs: OpenFile, rhs: OpenFile) -> Bool { lhs === rhs }
}

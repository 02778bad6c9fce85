import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Every regular file below a folder, with names as the file system holds them: bytes, which need not be
/// UTF-8. Symbolic links are followed, to files and to folders, as `scp -r` does; a link back to a folder
/// on the current path (a loop), a link to nothing, and what is neither file nor folder (socket, FIFO,
/// device) are left out with a warning naming them: nothing is left out silently.
public enum DirectoryWalk {
    public struct Entry: Sendable, Equatable {
        /// The path below the root, `/`-separated, exactly as stored.
        public var relativePath: [UInt8]
        public var size: Int64
        public var modifiedNanoseconds: Int64
    }

    /// What a walk found: the regular files, and a warning for everything it could not back up.
    public struct Result: Sendable, Equatable {
        public var files: [Entry] = []
        public var warnings: [String] = []
    }

    /// A folder as the kernel knows it, to tell when a link leads back to a folder already on the path.
    struct FolderID: Hashable {
        var device: UInt64
        var inode: UInt64
        init(_ status: stat) {
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
        }
    }

    /// Every regular file below `root`. Throws `TransportError(.local, …)` naming a folder that cannot be read.
    public static func files(under root: String) throws -> [Entry] {
        try walk(under: root).files
    }

    /// Every regular file below `root`, and a warning for each entry left out.
    /// Throws `TransportError(.local, …)` naming a folder that cannot be read.
    public static func walk(under root: String) throws -> Result {
        var result = Result()
        let rootBytes = Array(root.utf8)
        guard let rootStatus = status(rootBytes, follow: true) else {
            throw TransportError(.local, "cannot read \(root): \(String(cString: strerror(errno)))")
        }
        // Each folder to read, with the folders on the path down to it (itself included).
        var pending: [(relative: [UInt8], ancestors: Set<FolderID>)] = [([], [FolderID(rootStatus)])]
        while let (relative, ancestors) = pending.popLast() {
            let folder = relative.isEmpty ? rootBytes : rootBytes + [0x2F] + relative
            for name in try names(in: folder) {
                let path = relative.isEmpty ? name : relative + [0x2F] + name
                let full = rootBytes + [0x2F] + path
                guard let link = status(full, follow: false) else {
                    result.warnings.append("\(display(full)) disappeared while the source folder was read; it is not backed up")
                    continue
                }
                let isLink = (link.st_mode & S_IFMT) == S_IFLNK
                guard let target = isLink ? status(full, follow: true) : link else {
                    result.warnings.append("\(display(full)) is a symbolic link to nothing (\(linkTarget(full))); it is not backed up")
                    continue
                }
                switch target.st_mode & S_IFMT {
                case S_IFDIR:
                    let id = FolderID(target)
                    guard !ancestors.contains(id) else {
                        result.warnings.append("\(display(full)) is a symbolic link to a folder that contains it (a loop); it is not followed")
                        continue
                    }
                    pending.append((path, ancestors.union([id])))
                case S_IFREG:
                    result.files.append(Entry(
                        relativePath: path, size: Int64(target.st_size),
                        modifiedNanoseconds: Int64(target.st_mtim.tv_sec) * 1_000_000_000 + Int64(target.st_mtim.tv_nsec)))
                default:
                    result.warnings.append("\(display(full)) is a \(kindName(target.st_mode)), not a file or folder; it is not backed up")
                }
            }
        }
        return result
    }

    private static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFSOCK: "socket"
        case S_IFIFO: "named pipe (FIFO)"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        default: "special file"
        }
    }

    /// Where the symbolic link at `path` points, for messages.
    private static func linkTarget(_ path: [UInt8]) -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = withCString(path) { link in
            buffer.withUnsafeMutableBufferPointer { readlink(link, UnsafeMutableRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), 4096) }
        }
        return count >= 0 ? "points to " + display(Array(buffer.prefix(count))) : "unreadable"
    }

    /// Opens the file at `path` (bytes) for reading; the descriptor stays open as long as the value lives.
    public static func open(_ path: [UInt8], name: String? = nil) throws -> OpenFile {
        let descriptor = withCString(path) { Glibc.open($0, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else {
            throw TransportError(.local, "cannot open \(display(path)): \(String(cString: strerror(errno)))")
        }
        return OpenFile(descriptor: descriptor, name: name ?? display(path))
    }

    /// `bytes` for messages: as UTF-8, with what is not shown as `\xNN`.
    public static func display(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return bytes.map { $0 < 0x80 ? String(UnicodeScalar($0)) : String(format: "\\x%02X", $0) }.joined()
    }

    /// The names in `folder` (bytes), `.` and `..` left out; throws naming a folder that cannot be read.
    public static func names(in folder: [UInt8]) throws -> [[UInt8]] {
        guard let directory = withCString(folder, { opendir($0) }) else {
            throw TransportError(.local, "cannot read folder \(display(folder)): \(String(cString: strerror(errno)))")
        }
        defer { closedir(directory) }
        var names: [[UInt8]] = []
        errno = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name != [0x2E], name != [0x2E, 0x2E] { names.append(name) }
            errno = 0
        }
        guard errno == 0 else {
            throw TransportError(.local, "cannot read folder \(display(folder)): \(String(cString: strerror(errno)))")
        }
        return names
    }

    /// The status of `path` (bytes), following a final symbolic link or not; nil when there is none.
    public static func status(_ path: [UInt8], follow: Bool) -> stat? {
        var result = stat()
        let code = withCString(path) { follow ? stat($0, &result) : lstat($0, &result) }
        return code == 0 ? result : nil
    }

    public static func withCString<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
        try (bytes + [0]).withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }
}

/// A file held open, readable by path through `/proc/self/fd` whatever bytes its name holds.
public final class OpenFile: Sendable {
    public let descriptor: Int32
    /// The path it was opened by, for messages.
    public let name: String

    init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.name = name
    }

    deinit { close(descriptor) }

    /// A path that opens this same file.
    public var path: String { "/proc/self/fd/\(descriptor)" }
}

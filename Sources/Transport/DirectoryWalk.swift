import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Every regular file below a folder, with names as the file system holds them: bytes, which need not be
/// UTF-8. Symbolic links to files count as files; symbolic links to folders are not followed.
public enum DirectoryWalk {
    public struct Entry: Sendable, Equatable {
        /// The path below the root, `/`-separated, exactly as stored.
        public var relativePath: [UInt8]
        public var size: Int64
        public var modifiedNanoseconds: Int64
    }

    /// Throws `TransportError(.local, …)` naming a folder that cannot be read or a link that leads nowhere.
    public static func files(under root: String) throws -> [Entry] {
        var found: [Entry] = []
        var pending: [[UInt8]] = [[]]
        let rootBytes = Array(root.utf8)
        while let relative = pending.popLast() {
            let folder = relative.isEmpty ? rootBytes : rootBytes + [0x2F] + relative
            for name in try names(in: folder) {
                let path = relative.isEmpty ? name : relative + [0x2F] + name
                let full = rootBytes + [0x2F] + path
                guard let link = status(full, follow: false) else { continue }  // gone since it was listed
                let isLink = (link.st_mode & S_IFMT) == S_IFLNK
                guard let target = isLink ? status(full, follow: true) : link else {
                    throw TransportError(.local, "\(display(full)) is a symbolic link to nothing")
                }
                switch target.st_mode & S_IFMT {
                case S_IFDIR where !isLink:
                    pending.append(path)
                case S_IFREG:
                    found.append(Entry(
                        relativePath: path, size: Int64(target.st_size),
                        modifiedNanoseconds: Int64(target.st_mtim.tv_sec) * 1_000_000_000 + Int64(target.st_mtim.tv_nsec)))
                default:
                    continue
                }
            }
        }
        return found
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

    private static func names(in folder: [UInt8]) throws -> [[UInt8]] {
        guard let directory = withCString(folder, { opendir($0) }) else {
            throw TransportError(.local, "cannot read \(display(folder)) in the source folder: \(String(cString: strerror(errno)))")
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
            throw TransportError(.local, "cannot read \(display(folder)) in the source folder: \(String(cString: strerror(errno)))")
        }
        return names
    }

    private static func status(_ path: [UInt8], follow: Bool) -> stat? {
        var result = stat()
        let code = withCString(path) { follow ? stat($0, &result) : lstat($0, &result) }
        return code == 0 ? result : nil
    }

    static func withCString<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
        (bytes + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
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

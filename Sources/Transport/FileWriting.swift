import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small files written whole or not at all (a status file, a metrics file), and an exclusive lock on a folder
/// for read-modify-write of the files in it. Blocking: call from `onOwnThread`.
public enum FileWriting {
    /// Writes `data` to a hidden temporary name beside `path` (mode `permissions`), syncs it and renames it over
    /// `path`, then syncs the folder: a reader sees the old file or the new one, never a part. The folder is made
    /// when missing. Nothing is left behind when it fails.
    public static func replace(_ path: String, with data: Data, permissions: mode_t = 0o644) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        try FilePlacement.createFolders(Array(folder.utf8))
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-" + UUID().uuidString.prefix(8).lowercased()
        do {
            guard FileManager.default.createFile(atPath: temporary, contents: data) else {
                throw TransportError(.local, "cannot write \(temporary): \(String(cString: strerror(errno)))")
            }
            guard chmod(temporary, permissions) == 0 else {
                throw TransportError(.local, "cannot set the mode of \(temporary): \(String(cString: strerror(errno)))")
            }
            try FilePlacement.place(temporary, at: Array(path.utf8))
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Runs `body` holding an exclusive `flock` on `folder` (made when missing), so two processes updating
    /// files in it take turns. Throws when the folder cannot be made or opened; `body`'s errors pass through.
    public static func withExclusiveLock<T>(on folder: String, _ body: () throws -> T) throws -> T {
        try FilePlacement.createFolders(Array(folder.utf8))
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw TransportError(.local, "cannot open \(folder): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw TransportError(.local, "cannot lock \(folder): \(String(cString: strerror(errno)))")
            }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// Whether this process may create and write files in `folder`, or create `folder` itself.
    public static func canWrite(in folder: String) -> Bool {
        var path = folder
        while !path.isEmpty {
            if access(path, F_OK) == 0 { return access(path, W_OK | X_OK) == 0 }
            let parent = (path as NSString).deletingLastPathComponent
            if parent == path { return false }
            path = parent
        }
        return false
    }
}

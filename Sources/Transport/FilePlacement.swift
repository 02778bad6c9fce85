import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Gives a finished temporary file its final name, durably: the file is synced, the target's folders are
/// made (names as bytes, which need not be UTF-8), the file is renamed over the target, and the folder is synced.
public enum FilePlacement {
    public static func place(_ temporary: String, at target: [UInt8]) throws {
        let descriptor = open(temporary, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0, fsync(descriptor) == 0 else {
            if descriptor >= 0 { close(descriptor) }
            throw TransportError(.local, "cannot sync \(temporary): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        let folder = Array(target[..<(target.lastIndex(of: 0x2F) ?? target.startIndex)])
        try createFolders(folder)
        let renamed = DirectoryWalk.withCString(target) { rename(temporary, $0) }
        guard renamed == 0 else {
            throw TransportError(.local, "cannot rename \(temporary) to \(DirectoryWalk.display(target)): \(String(cString: strerror(errno)))")
        }
        let directory = DirectoryWalk.withCString(folder.isEmpty ? [0x2F] : folder) { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    /// `mkdir -p` of `folder` (bytes).
    static func createFolders(_ folder: [UInt8]) throws {
        var path: [UInt8] = folder.first == 0x2F ? [0x2F] : []
        for part in folder.split(separator: 0x2F) {
            path += (path.isEmpty || path == [0x2F] ? [] : [0x2F]) + part
            let made = DirectoryWalk.withCString(path) { mkdir($0, 0o755) }
            guard made == 0 || errno == EEXIST else {
                throw TransportError(.local, "cannot create folder \(DirectoryWalk.display(path)): \(String(cString: strerror(errno)))")
            }
        }
    }
}

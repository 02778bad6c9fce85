import Foundation
import Storage
#if canImport(Glibc)
import Glibc
#endif

/// One file of a snapshot, as it was when the source folder was scanned.
public struct SnapshotFile: Sendable, Equatable {
    /// Path below the source folder, `/`-separated, no leading slash.
    public var relativePath: String
    /// Absolute path on this machine.
    public var localPath: String
    public var size: Int64
    /// Modification time in nanoseconds since the epoch, to tell a file changed while it was read.
    public var modifiedNanoseconds: Int64

    public init(relativePath: String, localPath: String, size: Int64, modifiedNanoseconds: Int64 = 0) {
        self.relativePath = relativePath
        self.localPath = localPath
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
    }

    public var range: FileRange { FileRange(path: localPath, length: size) }
}

/// What a run backs up: the regular files of the source folder, and the dated folder they go to.
public struct Snapshot: Sendable, Equatable {
    public var sourceFolder: String
    public var files: [SnapshotFile]
    /// The folder below each destination's base path: `[<deployment_name>/]YYYY/MM/DD`.
    public var remoteFolder: String

    public init(sourceFolder: String, files: [SnapshotFile], remoteFolder: String) {
        self.sourceFolder = sourceFolder
        self.files = files
        self.remoteFolder = remoteFolder
    }

    public var totalBytes: Int64 { files.reduce(0) { $0 + $1.size } }

    /// The dated folder for `date` in `timeZone` (the VM's local clock), with the deployment name in front when given.
    public static func remoteFolder(for date: Date, timeZone: TimeZone = .current, deploymentName: String? = nil) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let dated = String(format: "%04d/%02d/%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        return RemotePath.join(deploymentName ?? "", dated)
    }

    /// Every regular file below `sourceFolder` (symbolic links to files included), sorted by path.
    /// A folder that cannot be read fails the scan: a backup is never silently incomplete.
    public static func scan(sourceFolder: String, remoteFolder: String) throws -> Snapshot {
        let root = URL(fileURLWithPath: sourceFolder, isDirectory: true).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SnapshotError("source folder \(sourceFolder) does not exist or is not a folder")
        }
        var unreadable: (path: String, reason: String)?
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [],
            errorHandler: { url, error in
                unreadable = (url.path, "\(error.localizedDescription)")
                return false
            }
        ) else {
            throw SnapshotError("source folder \(sourceFolder) cannot be read")
        }
        var files: [SnapshotFile] = []
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for case let url as URL in enumerator {
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(rootPath), let state = FileState.of(path), state.isRegular else { continue }
            files.append(SnapshotFile(
                relativePath: String(path.dropFirst(rootPath.count)), localPath: path,
                size: state.size, modifiedNanoseconds: state.modifiedNanoseconds
            ))
        }
        if let unreadable { throw SnapshotError("cannot read \(unreadable.path) in the source folder: \(unreadable.reason)") }
        files.sort { $0.relativePath < $1.relativePath }
        return Snapshot(sourceFolder: root.path, files: files, remoteFolder: remoteFolder)
    }
}

/// A source folder that cannot be backed up as it is, or a file that changed while it was read.
public struct SnapshotError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Size and modification time of a file, following symbolic links.
struct FileState: Equatable {
    var isRegular: Bool
    var size: Int64
    var modifiedNanoseconds: Int64

    static func of(_ path: String) -> FileState? {
        var status = Glibc.stat()
        guard stat(path, &status) == 0 else { return nil }
        return FileState(
            isRegular: (status.st_mode & S_IFMT) == S_IFREG, size: Int64(status.st_size),
            modifiedNanoseconds: Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        )
    }
}

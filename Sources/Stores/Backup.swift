import Foundation
import Storage

// TODO(issue 10): legacy, removed once every destination is a store.

/// One file of a backup.
public struct BackupFile: Sendable, Equatable {
    /// Path below the source folder, `/`-separated, no leading slash.
    public var relativePath: String
    /// Absolute path on this machine.
    public var localPath: String
    public var size: Int64

    public init(relativePath: String, localPath: String, size: Int64) {
        self.relativePath = relativePath
        self.localPath = localPath
        self.size = size
    }
}

/// What a run hands to every destination: the files of the source folder and the folder they go to.
public struct Backup: Sendable, Equatable {
    public var sourceFolder: String
    public var files: [BackupFile]
    /// The folder below each destination's base path: `[<deployment_name>/]YYYY/MM/DD`.
    public var remoteFolder: String

    public init(sourceFolder: String, files: [BackupFile], remoteFolder: String) {
        self.sourceFolder = sourceFolder
        self.files = files
        self.remoteFolder = remoteFolder
    }

    public var totalBytes: Int64 { files.reduce(0) { $0 + $1.size } }

    /// The remote path of `file` below `base`, slashes squeezed, no trailing slash.
    public func remotePath(of file: BackupFile, under base: String) -> String {
        RemotePath.join(base, remoteFolder, file.relativePath)
    }

    /// The dated folder for `date` in `timeZone` (the VM's local clock), with the deployment name in front when given.
    public static func remoteFolder(for date: Date, timeZone: TimeZone = .current, deploymentName: String? = nil) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let dated = String(format: "%04d/%02d/%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        return RemotePath.join(deploymentName ?? "", dated)
    }

    /// Every regular file below `sourceFolder` (symbolic links to files included), sorted by path.
    public static func scan(sourceFolder: String, remoteFolder: String) throws -> Backup {
        let root = URL(fileURLWithPath: sourceFolder, isDirectory: true).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DestinationError("source folder \(sourceFolder) does not exist or is not a folder")
        }
        var unreadable: (path: String, reason: String)?
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey], options: [],
            errorHandler: { url, error in
                unreadable = (url.path, "\(error.localizedDescription)")
                return false
            }
        ) else {
            throw DestinationError("source folder \(sourceFolder) cannot be read")
        }
        var files: [BackupFile] = []
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for case let url as URL in enumerator {
            let resolved = url.resolvingSymlinksInPath()
            let values = try resolved.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values.isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(rootPath) else { continue }
            files.append(BackupFile(
                relativePath: String(path.dropFirst(rootPath.count)),
                localPath: path,
                size: Int64(values.fileSize ?? 0)
            ))
        }
        // A folder that cannot be read must fail the backup, never leave it silently incomplete.
        if let unreadable { throw DestinationError("cannot read \(unreadable.path) in the source folder: \(unreadable.reason)") }
        files.sort { $0.relativePath < $1.relativePath }
        return Backup(sourceFolder: root.path, files: files, remoteFolder: remoteFolder)
    }
}

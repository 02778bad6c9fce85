import Foundation
import Storage
import Transport
#if canImport(Glibc)
import Glibc
#endif

/// One file of a snapshot, as it was when the source folder was scanned.
public struct SnapshotFile: Sendable {
    /// Path below the source folder, `/`-separated, no leading slash. A name that is not UTF-8 has its
    /// stray bytes written `%XX` here, and its exact bytes in `rawPath`.
    public var relativePath: String
    /// The exact bytes of the path below the source folder, when they are not UTF-8.
    public var rawPath: [UInt8]?
    /// A path on this machine that opens the file.
    public var localPath: String
    public var size: Int64
    /// Modification time in nanoseconds since the epoch, to tell a file changed while it was read.
    public var modifiedNanoseconds: Int64
    /// Holds a file whose name is not UTF-8 open, so it is read through `/proc/self/fd`.
    let openFile: OpenFile?
    /// The exact bytes of the file's path on this machine, to look at what the path leads to later.
    let pathBytes: [UInt8]

    public init(relativePath: String, localPath: String, size: Int64, modifiedNanoseconds: Int64 = 0) {
        self.relativePath = relativePath
        self.localPath = localPath
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.openFile = nil
        self.pathBytes = Array(localPath.utf8)
    }

    init(entry: DirectoryWalk.Entry, root: String) throws {
        size = entry.size
        modifiedNanoseconds = entry.modifiedNanoseconds
        if let path = String(validating: entry.relativePath, as: UTF8.self) {
            relativePath = path
            localPath = root + "/" + path
            rawPath = nil
            openFile = nil
            pathBytes = Array(localPath.utf8)
        } else {
            relativePath = Self.escaped(entry.relativePath)
            rawPath = entry.relativePath
            let file = try DirectoryWalk.open(Array(root.utf8) + [0x2F] + entry.relativePath)
            localPath = file.path
            openFile = file
            pathBytes = Array(root.utf8) + [0x2F] + entry.relativePath
        }
    }

    public var range: FileRange { FileRange(path: localPath, length: size) }

    /// The key text of a name that is not UTF-8 (see `ByteNames`).
    static func escaped(_ bytes: [UInt8]) -> String { ByteNames.text(bytes) }
}

/// What a run backs up: the regular files of the source folder, and the dated folder they go to.
public struct Snapshot: Sendable {
    public var sourceFolder: String
    public var files: [SnapshotFile]
    /// The folder below each destination's base path: `[<deployment_name>/]YYYY/MM/DD`.
    public var remoteFolder: String
    /// What an operator should hear about the source folder: what was left out and why, names stored otherwise.
    public var warnings: [String]

    public init(sourceFolder: String, files: [SnapshotFile], remoteFolder: String, warnings: [String] = []) {
        self.sourceFolder = sourceFolder
        self.files = files
        self.remoteFolder = remoteFolder
        self.warnings = warnings
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

    /// Every regular file below `sourceFolder` (symbolic links to files and folders followed), sorted by path.
    /// A folder that cannot be read fails the scan; what is left out (a link to nothing, a loop, a socket) is
    /// named in `warnings`: a backup is never silently incomplete.
    public static func scan(sourceFolder: String, remoteFolder: String) throws -> Snapshot {
        let root = URL(fileURLWithPath: sourceFolder, isDirectory: true).standardizedFileURL.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
            throw SnapshotError("source folder \(sourceFolder) does not exist or is not a folder")
        }
        let files: [SnapshotFile]
        var warnings: [String]
        do {
            let walk = try DirectoryWalk.walk(under: root)
            files = try walk.files.map { try SnapshotFile(entry: $0, root: root) }
            warnings = walk.warnings
        } catch let error as TransportError {
            throw SnapshotError(error.message)
        }
        let sorted = files.sorted { $0.relativePath < $1.relativePath }
        // A name that is not UTF-8 is written with `%XX`; should that meet a real name, one file would hide the other.
        for (first, second) in zip(sorted, sorted.dropFirst()) where first.relativePath == second.relativePath {
            throw SnapshotError("\(DirectoryWalk.display(first.rawPath ?? Array(first.relativePath.utf8))) and "
                + "\(DirectoryWalk.display(second.rawPath ?? Array(second.relativePath.utf8))) in the source folder would be "
                + "stored under the same name \(first.relativePath); rename one of them")
        }
        for file in sorted {
            if let raw = file.rawPath {
                warnings.append("the name \(DirectoryWalk.display(raw)) in the source folder is not UTF-8: stores that need "
                    + "UTF-8 names (s3, azure) hold it as \(file.relativePath), local and scp destinations as its exact bytes; "
                    + "the run manifest keeps the exact bytes, so a restore recreates the name")
            }
        }
        return Snapshot(sourceFolder: root, files: sorted, remoteFolder: remoteFolder, warnings: warnings)
    }
}

/// A source folder that cannot be backed up as it is, or a file that changed while it was read.
public struct SnapshotError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

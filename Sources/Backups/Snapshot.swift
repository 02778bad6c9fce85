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

    /// UTF-8 kept, every other byte as `%XX`.
    static func escaped(_ bytes: [UInt8]) -> String {
        var text = ""
        var rest = bytes[...]
        while !rest.isEmpty {
            // The longest valid UTF-8 prefix (at most 4 bytes per scalar) is kept as it is.
            if let length = (1...min(4, rest.count)).first(where: { String(validating: rest.prefix($0), as: UTF8.self) != nil }) {
                text += String(decoding: rest.prefix(length), as: UTF8.self)
                rest = rest.dropFirst(length)
            } else {
                text += String(format: "%%%02X", rest.first!)
                rest = rest.dropFirst()
            }
        }
        return text
    }
}

/// What a run backs up: the regular files of the source folder, and the dated folder they go to.
public struct Snapshot: Sendable {
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
        let root = URL(fileURLWithPath: sourceFolder, isDirectory: true).standardizedFileURL.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
            throw SnapshotError("source folder \(sourceFolder) does not exist or is not a folder")
        }
        let files: [SnapshotFile]
        do {
            files = try DirectoryWalk.files(under: root).map { try SnapshotFile(entry: $0, root: root) }
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
        return Snapshot(sourceFolder: root, files: sorted, remoteFolder: remoteFolder)
    }
}

/// A source folder that cannot be backed up as it is, or a file that changed while it was read.
public struct SnapshotError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

import Foundation
import Logging
import Manifest
import Transport

/// A folder on this machine or a mount (NFS is common): each file is streamed to a hidden temporary
/// name beside its target and renamed once complete, so a file at its final name is always whole.
public struct LocalDestination: Destination {
    public let name: String?
    public let path: String
    public var typeName: String { "local" }

    public init(name: String?, settings: LocalSettings) {
        self.name = name
        self.path = settings.path
    }

    public func upload(_ backup: Backup, logger: Logger) async throws -> UploadSummary {
        let target = RemotePath.join(path, backup.remoteFolder)
        logger.info("about to upload \(backup.sourceFolder) to local path \(target)")
        for file in backup.files {
            try Task.checkCancellation()
            let destination = backup.remotePath(of: file, under: path)
            let temporary = TemporaryName.beside(destination)
            try await onOwnThread { flag in
                try FileCopy.copy(from: file.localPath, to: destination, via: temporary, cancellation: flag)
            }
        }
        return UploadSummary(files: backup.files.count, bytes: backup.totalBytes)
    }
}

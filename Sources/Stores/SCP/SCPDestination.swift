import Foundation
import Logging
import Manifest
import Synchronization
import Transport
import Storage

/// A folder on a server reached over SSH. Files travel over SFTP (libssh2, in process) on several
/// sessions at once, each under a temporary name in its target folder, renamed once complete. The
/// server's host key is checked against the manifest's `fingerprint` before the key is offered.
public struct SCPDestination: LegacyDestination {
    public let name: String?
    public var typeName: String { "scp" }
    let target: SCPTarget
    let concurrency: Int
    let retryPolicy: RetryPolicy

    /// Retries as `settings.retry` says unless `retryPolicy` is given; its stall timeout bounds every SSH step.
    public init(name: String?, settings: SCPSettings, retryPolicy: RetryPolicy? = nil) throws {
        self.name = name
        self.target = try SCPTarget(settings: settings)
        self.concurrency = settings.concurrency ?? 4
        self.retryPolicy = retryPolicy ?? settings.retry.policy
    }

    public func upload(_ backup: Backup, logger: Logger) async throws -> UploadSummary {
        let base = target.destination
        logger.info("about to upload \(backup.sourceFolder) to \(target.user)@\(target.endpoint):\(RemotePath.join(base, backup.remoteFolder))")
        let retries = RetryCounter(destination: typeName, logger: logger)

        // One connection first: a wrong host key or key fails once, before any parallel work starts.
        let first = SCPConnectionSlot()
        try await retryPolicy.run(onRetry: retries.observer(for: "connection to \(target.endpoint)")) {
            try await onOwnThread { flag in
                do {
                    let connection = try first.connection(to: target, cancellation: flag)
                    if backup.files.isEmpty {
                        try connection.sftp.createFolders(RemotePath.join(base, backup.remoteFolder))
                    }
                } catch let error as SSHError where error.kind == .connection {
                    first.close()  // the next attempt starts on a fresh connection
                    throw error
                }
            }
        }
        if !target.isPinned, let hostKey = first.hostKey {
            logger.warning("scp destination has no fingerprint: the server's host key is not checked; pin it with fingerprint: \(hostKey.sha256Fingerprint)", metadata: [
                "server": .string(target.endpoint),
                "host_key_type": .string(hostKey.algorithm),
                "fingerprint": .string(hostKey.sha256Fingerprint),
            ])
        }

        let queue = SCPFileQueue(backup.files)
        let workers = min(concurrency, max(backup.files.count, 1))
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<workers {
                    let slot = index == 0 ? first : SCPConnectionSlot()
                    group.addTask {
                        do {
                            while let file = queue.next() {
                                try Task.checkCancellation()
                                let remote = backup.remotePath(of: file, under: base)
                                try await retryPolicy.run(onRetry: retries.observer(for: file.relativePath)) {
                                    try await onOwnThread { flag in
                                        try slot.upload(file, to: remote, target: target, cancellation: flag)
                                    }
                                }
                            }
                        } catch {
                            await slot.closeOffPool()
                            throw error
                        }
                        await slot.closeOffPool()
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            await first.closeOffPool()
            throw error
        }
        return UploadSummary(
            files: backup.files.count, bytes: backup.totalBytes, retries: retries.value
        )
    }

    /// The server's host key fingerprint (`SHA256:<base64>`), read without authenticating, for `validate`.
    public static func hostKeyFingerprint(settings: SCPSettings) async throws -> String {
        try await hostKeyFingerprint(target: try SCPTarget(settings: settings))
    }

    static func hostKeyFingerprint(target: SCPTarget) async throws -> String {
        try await onOwnThread { flag in
            let session = try SSHSession(host: target.server, port: target.port, options: target.sessionOptions, cancellation: flag)
            defer { session.close() }
            return session.hostKey.sha256Fingerprint
        }
    }
}

/// Hands out the backup's files one at a time to the workers.
final class SCPFileQueue: Sendable {
    private let files: [BackupFile]
    private let index = Atomic<Int>(0)

    init(_ files: [BackupFile]) { self.files = files }

    func next() -> BackupFile? {
        let position = index.add(1, ordering: .relaxed).oldValue
        return position < files.count ? files[position] : nil
    }
}

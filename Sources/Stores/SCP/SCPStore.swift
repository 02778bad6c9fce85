import Foundation
import Manifest
import Storage
import Transport

/// A folder on a server reached over SSH. Files travel over SFTP (libssh2, in process; the SCP protocol when
/// the server offers no SFTP subsystem) on a pool of
/// connections, each written under a temporary name beside its target and renamed once complete. The
/// server's host key is checked against the manifest's `fingerprint` before the user's key is offered.
/// Keys are paths below the manifest's `destination` folder.
public struct SCPStore: ObjectStore {
    let target: SCPTarget
    let pool: SCPConnectionPool

    /// `window`: the destination's concurrency window; each operation holds a permit and a connection.
    public init(settings: SCPSettings, window: ConcurrencyWindow) throws {
        target = try SCPTarget(settings: settings)
        pool = SCPConnectionPool(target: target, window: window)
    }

    /// A store with a window of its own, `concurrency` wide.
    public init(settings: SCPSettings, concurrency: Int = SCPSettings.defaultConcurrency) throws {
        try self.init(settings: settings, window: ConcurrencyWindow(permits: concurrency))
    }

    public var kind: String { "scp" }

    public func location(of folder: String) -> String {
        "\(target.user)@\(target.endpoint):\(RemotePath.join(target.destination, folder))"
    }

    func remotePath(_ key: String) -> String { RemotePath.join(target.destination, key) }

    /// One connection first, so a wrong host key or user key fails once before any parallel work; then the
    /// base folder. An unpinned server's host key is logged for the operator to pin.
    public func prepare(observer: TransferObserver) async throws {
        let base = target.destination
        let (hostKey, overSCP) = try await withSlot { slot, flag in
            try slot.run(cancellation: flag) { connection in
                if !base.isEmpty { try connection.files.createFolders(base) }
            }
            return (slot.hostKey, slot.usesSCPProtocol)
        }
        if overSCP {
            observer.logger.info("scp destination offers no SFTP subsystem: files travel over the SCP protocol", metadata: [
                "server": .string(target.endpoint),
            ])
        }
        if !target.isPinned, let hostKey {
            observer.logger.warning("scp destination has no fingerprint: the server's host key is not checked; pin it with fingerprint: \(hostKey.sha256Fingerprint)", metadata: [
                "server": .string(target.endpoint),
                "host_key_type": .string(hostKey.algorithm),
                "fingerprint": .string(hostKey.sha256Fingerprint),
            ])
        }
    }

    public func put(_ key: String, from source: FileRange, observer: TransferObserver) async throws -> ContentDigest {
        let remote = remotePath(key)
        let sent = try await withSlot { slot, flag in try slot.upload(source, to: remote, cancellation: flag) }
        observer.completed(bytes: sent.size)
        return ContentDigest(size: sent.size, sha256: sent.sha256)
    }

    public func stat(_ key: String) async throws -> ObjectInfo? {
        let remote = remotePath(key)
        let info = try await withSlot { slot, flag in try slot.run(cancellation: flag) { try $0.files.stat(remote) } }
        return info.map { ObjectInfo(key: key, size: $0.size, modified: $0.modified) }
    }

    /// Lists the deepest folder the prefix names and keeps the keys that start with it; temporary files included.
    public func list(prefix: String) -> AsyncThrowingStream<ObjectInfo, any Error> {
        let folder = prefix.hasSuffix("/") ? String(prefix.dropLast()) : (prefix as NSString).deletingLastPathComponent
        let root = remotePath(folder)
        return .found {
            let files = try await withSlot { slot, flag in
                try slot.run(cancellation: flag) { try $0.files.listFiles(under: root, cancellation: flag) }
            }
            return files.compactMap { file in
                let key = folder.isEmpty ? file.path : folder + "/" + file.path
                return key.hasPrefix(prefix) ? ObjectInfo(key: key, size: file.size, modified: file.modified) : nil
            }
        }
    }

    public func get(_ key: String, to localPath: String, observer: TransferObserver) async throws -> ContentDigest {
        let remote = remotePath(key)
        let got = try await withSlot { slot, flag in
            try slot.run(cancellation: flag) { try $0.files.read(remote, toLocalPath: localPath, cancellation: flag) }
        }
        observer.completed(bytes: got.size)
        return ContentDigest(size: got.size, sha256: got.sha256)
    }

    public func closeConnections() async { await pool.closeIdle() }

    public func delete(_ keys: [String]) async throws {
        let remotes = keys.map(remotePath)
        try await withSlot { slot, flag in
            try slot.run(cancellation: flag) { connection in
                for remote in remotes {
                    if flag.isCancelled { throw SSHError(.cancelled, "removal of \(remote) cancelled") }
                    try connection.files.remove(remote)
                }
            }
        }
    }

    /// Blocking SSH work on a pooled connection, its errors as `StoreError`s.
    private func withSlot<T: Sendable>(_ work: @escaping @Sendable (SCPConnectionSlot, CancellationFlag) throws -> T) async throws -> T {
        do {
            return try await pool.withSlot(work)
        } catch {
            throw Self.storeError(error)
        }
    }
}

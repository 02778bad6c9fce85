import Backups
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Transport

/// The lock every process running a backup with one manifest takes: the daemon's scheduled runs and
/// `backup`/`manual-backup` alike, so two runs of one manifest never write at once, whichever process starts them.
///
/// It is an advisory `flock` on `<folder>/service-backup-<16 hex>.lock`, the hex a hash of the manifest's
/// canonical path; the folder is `$SERVICE_BACKUP_LOCK_DIR` when set, else `/run/service-backup` when it
/// exists (the systemd units' runtime folder, writable inside their sandbox), else `/run/lock` (world-writable
/// and sticky, made for lock files, so any user may lock), else `/tmp`. The kernel drops the lock when its holder
/// exits, however it exits: a crash never leaves a stale lock. The holder removes the file when it is done
/// (a process that locked a file since removed looks again), so finished runs leave nothing behind.
public final class ManifestLock: Sendable {
    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        unlink(path)  // while still locked: whoever waits on this file sees it gone and takes a new one
        close(descriptor)
    }

    /// The lock file of the manifest at `manifestPath`.
    public static func path(forManifest manifestPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let folder: String
        if let chosen = environment["SERVICE_BACKUP_LOCK_DIR"], !chosen.isEmpty {
            folder = chosen
        } else {
            folder = ["/run/service-backup", "/run/lock"].first { candidate in
                var isFolder: ObjCBool = false
                return FileManager.default.fileExists(atPath: candidate, isDirectory: &isFolder) && isFolder.boolValue
            } ?? "/tmp"
        }
        let canonical = realpath(manifestPath, nil).map { resolved in
            defer { free(resolved) }
            return String(cString: resolved)
        } ?? URL(fileURLWithPath: manifestPath).standardizedFileURL.path
        return folder + "/service-backup-" + StableHash.fnv1a64Hex(canonical) + ".lock"
    }

    /// Takes the lock at `path`. When another process holds it: nil at once unless `wait`, else waits
    /// (off the concurrency pool) until it is free or the task is cancelled (then nil).
    public static func acquire(_ path: String, wait: Bool) async throws -> ManifestLock? {
        try await onOwnThread { flag in try lock(path, wait: wait, cancellation: flag) }
    }

    /// Whether `descriptor` is the file now at `path`.
    private static func isStillAt(_ path: String, _ descriptor: Int32) -> Bool {
        var open = stat(), named = stat()
        guard fstat(descriptor, &open) == 0, stat(path, &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    private static func lock(_ path: String, wait: Bool, cancellation flag: CancellationFlag) throws -> ManifestLock? {
        while true {
            // Read-only is enough for flock, so a lock file another user made can still be locked.
            let descriptor = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw ManifestLockError("cannot open the backup lock file \(path): \(String(cString: strerror(errno)))")
            }
            while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                let failure = errno
                guard failure == EWOULDBLOCK || failure == EINTR else {
                    close(descriptor)
                    throw ManifestLockError("cannot lock the backup lock file \(path): \(String(cString: strerror(failure)))")
                }
                guard wait, !flag.isCancelled else {
                    close(descriptor)
                    return nil
                }
                // flock has no way to be woken by cancellation: look again a little later.
                usleep(100_000)
            }
            if isStillAt(path, descriptor) { return ManifestLock(path: path, descriptor: descriptor) }
            // Its holder removed the file after we opened it: lock the one at the path now.
            close(descriptor)
        }
    }
}

/// A lock file that cannot be opened or locked: names the file.
public struct ManifestLockError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension BackupRun {
    /// What a run refused because another is in progress logs: the original's text, with a guid of its own.
    /// Returns the refused run's guid.
    @discardableResult
    public static func logRefusal(_ logger: Logger) -> String {
        var refused = logger
        let guid = UUID().uuidString.lowercased()
        refused[metadataKey: "backup_guid"] = .string(guid)
        refused.error(
            "Backup currently in progress, exiting. Another backup will not be able to start until this is completed.",
            metadata: ["error": "backup operation rejected"]
        )
        return guid
    }

    /// Performs the run holding the manifest's lock (`lockFile`; none when nil). When another process holds it,
    /// the run is refused (logged as the original does) unless `waitIfBusy`, in which case it waits its turn.
    /// Returns nil when the run was refused or could not take the lock (the reason is logged).
    /// `refused` hears the guid of a run refused because another process holds the lock.
    public func performLocked(
        lockFile: String?, waitIfBusy: Bool, logger: Logger, refused: (String) -> Void = { _ in }
    ) async -> RunReport? {
        guard let lockFile else { return await perform(logger: logger) }
        let lock: ManifestLock
        do {
            if let free = try await ManifestLock.acquire(lockFile, wait: false) {
                lock = free
            } else if waitIfBusy {
                logger.info("Another backup of this manifest is in progress: waiting for it to finish", metadata: ["lock_file": .string(lockFile)])
                guard let waited = try await ManifestLock.acquire(lockFile, wait: true) else { return nil }
                lock = waited
            } else {
                refused(Self.logRefusal(logger))
                return nil
            }
        } catch {
            logger.error("Backup lock unavailable", metadata: ["error": .string("\(error)")])
            return nil
        }
        let report = await perform(logger: logger)
        withExtendedLifetime(lock) {}
        return report
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Manifest
import Storage
import Transport

/// A folder on this machine or a mount (NFS is common): each file is streamed to a hidden temporary
/// name beside its target, synced, and renamed once complete, so a file at its final name is always whole.
public struct LocalStore: ObjectStore {
    public let path: String
    public var kind: String { "local" }

    public init(settings: LocalSettings) {
        self.path = settings.path
    }

    public func location(of folder: String) -> String { "local path \(RemotePath.join(path, folder))" }

    func file(_ key: String) -> String { RemotePath.join(path, key) }

    public func prepare(observer: TransferObserver) async throws {
        let path = path
        try await blocking { _ in
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw StoreError(.permanent, "cannot create local path \(path): \(error.localizedDescription)")
            }
        }
    }

    public func put(_ key: String, from source: FileRange, observer: TransferObserver) async throws -> ContentDigest {
        let target = file(key)
        let copied = try await blocking { flag in
            try FileCopy.copy(from: source.readablePath, offset: source.offset, length: source.length,
                              to: target, via: TemporaryName.beside(target), cancellation: flag, beforeRename: source.checkUnchanged)
        }
        observer.completed(bytes: copied.size)
        return ContentDigest(size: copied.size, sha256: copied.sha256)
    }

    public func stat(_ key: String) async throws -> ObjectInfo? {
        let target = file(key)
        return try await blocking { _ in Self.info(key: key, at: target) }
    }

    public func list(prefix: String) -> AsyncThrowingStream<ObjectInfo, any Error> {
        let root = path
        return .found { try await blocking { flag in try Self.walk(root: root, prefix: prefix, cancellation: flag) } }
    }

    public func get(_ key: String, to localPath: String, observer: TransferObserver) async throws -> ContentDigest {
        let source = file(key)
        let copied = try await blocking { flag in
            guard Self.info(key: key, at: source) != nil else {
                throw StoreError(.notFound, "local path \(source) does not exist")
            }
            return try FileCopy.copy(from: source, to: localPath, via: TemporaryName.beside(localPath), cancellation: flag)
        }
        observer.completed(bytes: copied.size)
        return ContentDigest(size: copied.size, sha256: copied.sha256)
    }

    public func delete(_ keys: [String]) async throws {
        let files = keys.map(file)
        try await blocking { _ in
            for target in files where unlink(target) != 0 && errno != ENOENT {
                throw StoreError(.permanent, "cannot remove \(target): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Runs file-system work off the concurrency pool, with its errors as `StoreError`s.
    private func blocking<T: Sendable>(_ work: @escaping @Sendable (CancellationFlag) throws -> T) async throws -> T {
        do {
            return try await onOwnThread(work)
        } catch {
            throw StoreError.from(error)
        }
    }

    private static func info(key: String, at path: String) -> ObjectInfo? {
        var status = Glibc.stat()
        guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return ObjectInfo(key: key, size: Int64(status.st_size), modified: Date(timeIntervalSince1970: Double(status.st_mtim.tv_sec)))
    }

    /// Every regular file below `root` whose key starts with `prefix`, walking only the folders the prefix allows.
    private static func walk(root: String, prefix: String, cancellation: CancellationFlag) throws -> [ObjectInfo] {
        var found: [ObjectInfo] = []
        var pending = [(root, "")]
        while let (folder, keyFolder) = pending.popLast() {
            if cancellation.isCancelled { throw CancellationError() }
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: folder)
            } catch CocoaError.fileReadNoSuchFile {
                continue
            } catch {
                throw StoreError(.permanent, "cannot list \(folder): \(error.localizedDescription)")
            }
            for name in names {
                let key = keyFolder.isEmpty ? name : keyFolder + "/" + name
                let full = folder + "/" + name
                var status = Glibc.stat()
                guard lstat(full, &status) == 0 else { continue }
                if (status.st_mode & S_IFMT) == S_IFDIR {
                    let asFolder = key + "/"
                    if asFolder.hasPrefix(prefix) || prefix.hasPrefix(asFolder) { pending.append((full, key)) }
                } else if key.hasPrefix(prefix), let info = info(key: key, at: full) {
                    found.append(info)
                }
            }
        }
        return found
    }
}

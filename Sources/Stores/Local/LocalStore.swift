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

    /// The exact bytes of the file `key` names: a component holding a name that is not UTF-8 is its bytes.
    func fileBytes(_ key: String) -> [UInt8] { ByteNames.bytes(file(key)) }

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
        let target = file(key), bytes = fileBytes(key), root = path
        let copied = try await blocking { flag in
            // A name that is not UTF-8 is written whole under a temporary name at the root, then moved to its bytes.
            let direct = bytes == Array(target.utf8)
            let destination = direct ? target : TemporaryName.beside(RemotePath.join(root, "file"))
            let copied = try FileCopy.copy(
                from: source.readablePath, offset: source.offset, length: source.length,
                to: destination, via: TemporaryName.beside(destination), cancellation: flag, beforeRename: source.checkUnchanged)
            guard !direct else { return copied }
            do {
                try FilePlacement.place(destination, at: bytes)
            } catch {
                unlink(destination)
                throw error
            }
            return copied
        }
        observer.completed(bytes: copied.size)
        return ContentDigest(size: copied.size, sha256: copied.sha256)
    }

    public func stat(_ key: String) async throws -> ObjectInfo? {
        let target = fileBytes(key)
        return try await blocking { _ in Self.info(key: key, at: target) }
    }

    public func list(prefix: String) -> AsyncThrowingStream<ObjectInfo, any Error> {
        let root = path
        return .found { try await blocking { flag in try Self.walk(root: root, prefix: prefix, cancellation: flag) } }
    }

    public func get(_ key: String, to localPath: String, observer: TransferObserver) async throws -> ContentDigest {
        let source = fileBytes(key)
        let copied = try await blocking { flag in
            guard Self.info(key: key, at: source) != nil else {
                throw StoreError(.notFound, "local path \(DirectoryWalk.display(source)) does not exist")
            }
            let file = try DirectoryWalk.open(source)  // whatever bytes its name holds
            return try FileCopy.copy(from: file.path, to: localPath, via: TemporaryName.beside(localPath), cancellation: flag)
        }
        observer.completed(bytes: copied.size)
        return ContentDigest(size: copied.size, sha256: copied.sha256)
    }

    public func delete(_ keys: [String]) async throws {
        let files = keys.map(fileBytes)
        try await blocking { _ in
            for target in files where DirectoryWalk.withCString(target, { unlink($0) }) != 0 && errno != ENOENT {
                throw StoreError(.permanent, "cannot remove \(DirectoryWalk.display(target)): \(String(cString: strerror(errno)))")
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

    private static func info(key: String, at path: [UInt8]) -> ObjectInfo? {
        DirectoryWalk.status(path, follow: false).flatMap { info(key: key, status: $0) }
    }

    /// The object a file of this `lstat` status is; nil when it is not a regular file.
    private static func info(key: String, status: stat) -> ObjectInfo? {
        guard (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return ObjectInfo(key: key, size: Int64(status.st_size), modified: Date(timeIntervalSince1970: Double(status.st_mtim.tv_sec)))
    }

    /// Every regular file below `root` whose key starts with `prefix`, walking only the folders the prefix allows.
    /// Names are read as bytes: one that is not UTF-8 lists under its key text (`ByteNames`).
    private static func walk(root: String, prefix: String, cancellation: CancellationFlag) throws -> [ObjectInfo] {
        var found: [ObjectInfo] = []
        var pending = [(Array(root.utf8), "")]
        while let (folder, keyFolder) = pending.popLast() {
            if cancellation.isCancelled { throw CancellationError() }
            guard let status = DirectoryWalk.status(folder, follow: true), (status.st_mode & S_IFMT) == S_IFDIR else { continue }
            let names: [[UInt8]]
            do {
                names = try DirectoryWalk.names(in: folder)
            } catch let error as TransportError {
                throw StoreError(.permanent, "cannot list \(error.message)")
            }
            for name in names {
                let text = ByteNames.text(name)
                let key = keyFolder.isEmpty ? text : keyFolder + "/" + text
                let full = folder + [0x2F] + name
                guard let entry = DirectoryWalk.status(full, follow: false) else { continue }
                if (entry.st_mode & S_IFMT) == S_IFDIR {
                    let asFolder = key + "/"
                    if asFolder.hasPrefix(prefix) || prefix.hasPrefix(asFolder) { pending.append((full, key)) }
                } else if key.hasPrefix(prefix), let info = info(key: key, status: entry) {
                    found.append(info)
                }
            }
        }
        return found
    }
}

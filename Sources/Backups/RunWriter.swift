import Foundation
import Storage
import Transport

/// Writes one run to one destination: the files first, several at once, each checked for size on the store
/// and for changes on this machine while it was read; then, only when every file is there, the run manifest.
public struct RunWriter: Sendable {
    public let destination: Destination
    public let layout: RunLayout
    /// Incomplete uploads and temporary files older than this are removed before the run writes.
    public let staleAge: TimeInterval

    public init(destination: Destination, layout: RunLayout, staleAge: TimeInterval = 86_400) {
        self.destination = destination
        self.layout = layout
        self.staleAge = staleAge
    }

    var store: any ObjectStore { destination.store }

    /// Prepares the store, removes what interrupted runs left behind, and puts every file of `snapshot`.
    /// Returns each file's size and SHA-256 as read for the upload, by relative path.
    public func writeFiles(_ snapshot: Snapshot, observer: TransferObserver) async throws -> [String: ContentDigest] {
        try await store.prepare(observer: observer)
        await removeStaleUploads(observer: observer)
        let digests = try await concurrentMap(snapshot.files, width: destination.concurrency) { file in
            (file.relativePath, try await put(file, observer: observer))
        }
        return Dictionary(digests, uniquingKeysWith: { first, _ in first })
    }

    /// Writes the run manifest, last; the run is complete on this destination once it is there.
    public func writeManifest(_ manifest: RunManifest, in scratch: PrivateFolder, observer: TransferObserver) async throws {
        let data = try manifest.encoded()
        let file = scratch.path("\(layout.runID)-\(UUID().uuidString.prefix(8)).manifest.json")
        try await onOwnThread { _ in try data.write(to: URL(fileURLWithPath: file)) }
        defer { try? FileManager.default.removeItem(atPath: file) }
        let key = layout.manifestKey
        let digest = try await store.put(key, from: FileRange(path: file, length: Int64(data.count)), observer: observer)
        try await checkSize(of: key, expected: Int64(data.count), unlessConfirmedBy: digest)
    }

    /// Opens the file once; the store reads every part from that descriptor. The file must be the snapshot's
    /// version when opened and still be, on its descriptor and at its path, once the store has read it.
    private func put(_ file: SnapshotFile, observer: TransferObserver) async throws -> ContentDigest {
        let open = try file.open()
        let key = layout.key(of: file.relativePath)
        let digest: ContentDigest
        do {
            // Counted as it is read, for the run's progress display.
            digest = try await observer.metering(open.range.length) { try await store.put(key, from: open.range, observer: observer) }
        } catch {
            // A file that shrank fails its read; that it changed is what the operator needs to hear.
            try file.checkUnchanged(since: open.identity)
            throw error
        }
        try file.checkUnchanged(since: open.identity)
        guard digest.size == file.size else { throw file.changed("\(digest.size) bytes were read, not \(file.size)") }
        try await checkSize(of: key, expected: file.size, unlessConfirmedBy: digest)
        return digest
    }

    /// Asks the store for the object's size, unless the put's own answer already proved it (`sizeConfirmed`).
    private func checkSize(of key: String, expected: Int64, unlessConfirmedBy digest: ContentDigest) async throws {
        if digest.sizeConfirmed, digest.size == expected { return }
        let info = try await store.stat(key)
        guard let info, info.size == expected else {
            throw StoreError(.permanent, "\(store.kind) object \(key) has \(info.map { "\($0.size)" } ?? "no") bytes after upload, expected \(expected)")
        }
    }

    private func removeStaleUploads(observer: TransferObserver) async {
        do {
            let removed = try await store.removeStaleUploads(olderThan: Date().addingTimeInterval(-staleAge), observer: observer)
            if removed > 0 {
                observer.logger.info("\(store.kind) removed what interrupted uploads left behind", metadata: ["count": .stringConvertible(removed)])
            }
        } catch where error is CancellationError || StoreError.from(error).kind == .cancelled {
        } catch {
            observer.logger.warning("\(store.kind) could not remove what interrupted uploads left behind", metadata: ["error": .string("\(error)")])
        }
    }
}

/// The process's own temporary folder (mode 0700), removed when the value goes away.
public final class PrivateFolder: Sendable {
    public let path: String

    public init() throws {
        path = NSTemporaryDirectory() + "service-backup-" + UUID().uuidString.prefix(13).lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func path(_ name: String) -> String { path + "/" + name }
}

import Foundation
import Storage
import Transport
#if canImport(Glibc)
import Glibc
#endif

/// Brings a run back from a store into a local folder. Each file streams to a hidden temporary name in its
/// target folder and is renamed into place only once its size and SHA-256 match the manifest, so a file at
/// its final name is always the one that was backed up. Memory stays bounded whatever the file sizes.
public struct Restorer: Sendable {
    public let destination: Destination

    public init(destination: Destination) { self.destination = destination }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// What a restore did.
    public struct Outcome: Sendable, Equatable {
        public var files: Int
        public var bytes: Int64
        /// With `allowIncomplete`: files that were missing (not restored) or whose bytes differ from the
        /// manifest (restored as they are), one line each.
        public var problems: [String]
    }

    /// Restores `run` into `folder`. A run that is not complete restores only with `allowIncomplete`: then
    /// what is there is restored, files without a manifest unchecked, and what is wrong is listed.
    public func restore(
        _ run: RunSummary, into folder: String, force: Bool, allowIncomplete: Bool, observer: TransferObserver
    ) async throws -> Outcome {
        let root = URL(fileURLWithPath: folder).standardizedFileURL.path
        try await onOwnThread { _ in try Self.prepare(root, force: force) }
        let entries: [(path: String, key: String, expected: RunManifest.File?)]
        if let manifest = run.manifest, run.state != .incomplete {
            guard run.state == .complete || allowIncomplete else {
                throw Failure(description: "run \(run.runID ?? "") is \(run.state.rawValue): "
                    + (run.problems.isEmpty ? "a later run replaced some of its files" : "\(run.problems.joined(separator: ", ")) missing or of another size")
                    + "; pass --allow-incomplete to restore what is there")
            }
            entries = manifest.files.map { ($0.path, run.keys[$0.path] ?? $0.path, $0) }
        } else {
            guard allowIncomplete else {
                throw Failure(description: "run \(run.runID ?? "in \(run.dayFolder)") is incomplete (it has no manifest); pass --allow-incomplete to restore its files unchecked")
            }
            entries = run.keys.sorted { $0.key < $1.key }.map { ($0.key, $0.value, nil) }
        }
        let store = destination.store
        let results = try await concurrentMap(entries, width: destination.concurrency) { entry -> (bytes: Int64, problem: String?) in
            let target = try Self.target(for: entry.expected?.rawPath ?? Array(entry.path.utf8), in: root)
            // Beside its target when the folder's name is text; in the root when it is not yet there as bytes.
            let temporary = TemporaryName.beside(entry.expected?.pathBytes == nil ? root + "/" + entry.path : root + "/restore")
            do {
                try await onOwnThread { _ in try FileManager.default.createDirectory(
                    atPath: (temporary as NSString).deletingLastPathComponent, withIntermediateDirectories: true) }
                let digest = try await store.get(entry.key, to: temporary, observer: observer)
                var problem: String?
                if let expected = entry.expected, digest.size != expected.size || digest.sha256Hex != expected.sha256 {
                    problem = "\(entry.path): the stored bytes (\(digest.size) bytes, SHA-256 \(digest.sha256Hex)) do not match the manifest (\(expected.size) bytes, SHA-256 \(expected.sha256))"
                    guard allowIncomplete else { throw Failure(description: problem!) }
                }
                try await onOwnThread { _ in try FilePlacement.place(temporary, at: target) }
                return (digest.size, problem)
            } catch let error as StoreError where error.kind == .notFound && allowIncomplete {
                return (-1, "\(entry.path): missing on the store, not restored")
            } catch {
                _ = try? await onOwnThread { _ in unlink(temporary) }
                throw error
            }
        }
        let restored = results.filter { $0.bytes >= 0 }
        return Outcome(files: restored.count, bytes: restored.reduce(0) { $0 + $1.bytes }, problems: results.compactMap(\.problem))
    }

    /// Creates `root`, or checks it is empty unless `force`.
    private static func prepare(_ root: String, force: Bool) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: root, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw Failure(description: "\(root) exists and is not a folder") }
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
            guard contents.isEmpty || force else {
                throw Failure(description: "\(root) is not empty; restore into an empty folder or pass --force to overwrite")
            }
        } else {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        }
    }

    /// The local path (bytes) of `relativePath` below `root`; a path that would leave `root` is refused.
    public static func target(for relativePath: [UInt8], in root: String) throws -> [UInt8] {
        let parts = relativePath.split(separator: 0x2F)
        guard !parts.isEmpty, relativePath.first != 0x2F,
              !parts.contains(where: { $0.elementsEqual([0x2E, 0x2E]) || $0.elementsEqual([0x2E]) }) else {
            throw Failure(description: "refusing to restore \(DirectoryWalk.display(relativePath)): it is not a plain relative path")
        }
        return Array(root.utf8) + [0x2F] + Array(parts.joined(separator: [0x2F]))
    }
}

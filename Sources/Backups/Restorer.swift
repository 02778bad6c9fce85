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

    /// Restores `run` into `folder`. An incomplete run (no manifest) restores only with `allowIncomplete`,
    /// and then without checksums. Returns the number of files and bytes written.
    public func restore(
        _ run: RunSummary, into folder: String, force: Bool, allowIncomplete: Bool, observer: TransferObserver
    ) async throws -> (files: Int, bytes: Int64) {
        let root = URL(fileURLWithPath: folder).standardizedFileURL.path
        try prepare(root, force: force)
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
        let sizes = try await forEach(entries, width: destination.concurrency) { entry -> Int64 in
            let target = try Self.target(for: entry.path, in: root)
            let temporary = TemporaryName.beside(target)
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            do {
                let digest = try await store.get(entry.key, to: temporary, observer: observer)
                if let expected = entry.expected, digest.size != expected.size || digest.sha256Hex != expected.sha256 {
                    throw Failure(description: "\(entry.path): the stored bytes (\(digest.size) bytes, SHA-256 \(digest.sha256Hex)) do not match the manifest (\(expected.size) bytes, SHA-256 \(expected.sha256))")
                }
                if let raw = entry.expected?.pathBytes.flatMap({ _ in entry.expected?.rawPath }) {
                    try Self.rename(temporary, toRaw: raw, in: root)
                } else if Glibc.rename(temporary, target) != 0 {
                    throw Failure(description: "cannot rename \(temporary) to \(target): \(String(cString: strerror(errno)))")
                }
                return digest.size
            } catch {
                unlink(temporary)
                throw error
            }
        }
        return (entries.count, sizes.reduce(0, +))
    }

    /// Creates `root`, or checks it is empty unless `force`.
    private func prepare(_ root: String, force: Bool) throws {
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

    /// Gives a restored file the exact bytes of a name that is not UTF-8.
    static func rename(_ temporary: String, toRaw raw: [UInt8], in root: String) throws {
        guard !raw.split(separator: 0x2F).contains(where: { $0.elementsEqual([0x2E, 0x2E]) }), raw.first != 0x2F else {
            throw Failure(description: "refusing to restore \(DirectoryWalk.display(raw)): it is not a plain relative path")
        }
        do {
            try DirectoryWalk.rename(temporary, to: Array(root.utf8) + [0x2F] + raw)
        } catch {
            throw Failure(description: "\(error)")
        }
    }

    /// The local path of `relativePath` below `root`; a path that would leave `root` is refused.
    public static func target(for relativePath: String, in root: String) throws -> String {
        let parts = relativePath.split(separator: "/")
        guard !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0 == "." }), !relativePath.hasPrefix("/") else {
            throw Failure(description: "refusing to restore \(relativePath): it is not a plain relative path")
        }
        return root + "/" + parts.joined(separator: "/")
    }
}

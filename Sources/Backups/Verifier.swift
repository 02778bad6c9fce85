import Foundation
import Storage

/// Checks a run on a store against its manifest: every file present with its size and, when asked, its
/// bytes read back and hashed. Written once over any store.
public struct Verifier: Sendable {
    public let destination: Destination

    public init(destination: Destination) { self.destination = destination }

    /// What a verification found.
    public struct Result: Sendable, Equatable {
        public var checked: Int
        public var bytes: Int64
        /// One line per file that is missing, has another size, or another SHA-256.
        public var mismatches: [String]

        public var passed: Bool { mismatches.isEmpty }
    }

    public func verify(_ run: RunSummary, readData: Bool, scratch: PrivateFolder, observer: TransferObserver) async throws -> Result {
        guard let manifest = run.manifest else {
            return Result(checked: 0, bytes: 0, mismatches: ["run \(run.runID ?? run.dayFolder) has no manifest: it is incomplete"])
        }
        let store = destination.store
        let files = manifest.files
        let mismatches = try await concurrentMap(files, width: destination.concurrency) { file -> String? in
            let key = run.keys[file.path] ?? file.path
            guard let info = try await store.stat(key) else { return "\(file.path): missing (\(key))" }
            guard info.size == file.size else { return "\(file.path): \(info.size) bytes on the store, the manifest says \(file.size)" }
            guard readData else { return nil }
            let target = scratch.path("verify-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(atPath: target) }
            let digest = try await store.get(key, to: target, observer: observer)
            guard digest.sha256Hex == file.sha256, digest.size == file.size else {
                return "\(file.path): SHA-256 \(digest.sha256Hex) of the stored bytes differs from the manifest's \(file.sha256)"
            }
            return nil
        }
        return Result(checked: files.count, bytes: manifest.totalBytes, mismatches: mismatches.compactMap { $0 }.sorted())
    }
}

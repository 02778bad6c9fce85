import Foundation

/// A store whose unit of transfer is the whole file (scp, local), with its puts and gets held to the
/// destination's concurrency window. Stores that send parts (s3, azure) take the window themselves, per part.
public struct LimitedStore: ObjectStore {
    public let base: any ObjectStore
    public let window: ConcurrencyWindow

    public init(_ base: any ObjectStore, window: ConcurrencyWindow) {
        self.base = base
        self.window = window
    }

    public var kind: String { base.kind }
    public func location(of folder: String) -> String { base.location(of: folder) }
    public func prepare(observer: TransferObserver) async throws { try await base.prepare(observer: observer) }

    public func put(_ key: String, from source: FileRange, observer: TransferObserver) async throws -> ContentDigest {
        try await window.withPermit { try await base.put(key, from: source, observer: observer) }
    }

    public func stat(_ key: String) async throws -> ObjectInfo? { try await base.stat(key) }
    public func list(prefix: String) -> AsyncThrowingStream<ObjectInfo, any Error> { base.list(prefix: prefix) }

    public func get(_ key: String, to localPath: String, observer: TransferObserver) async throws -> ContentDigest {
        try await window.withPermit { try await base.get(key, to: localPath, observer: observer) }
    }

    public func delete(_ keys: [String]) async throws { try await base.delete(keys) }

    public func removeStaleUploads(olderThan cutoff: Date, observer: TransferObserver) async throws -> Int {
        try await base.removeStaleUploads(olderThan: cutoff, observer: observer)
    }

    public func validationNotes() async -> [String] { await base.validationNotes() }
}

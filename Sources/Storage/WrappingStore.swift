import Foundation

/// A store around another (`LimitedStore`, `RetryingStore`): every call goes on to `base` unless the wrapper
/// says otherwise, so a wrapper states only what it adds.
public protocol WrappingStore: ObjectStore {
    var base: any ObjectStore { get }
}

extension WrappingStore {
    public var kind: String { base.kind }
    public func location(of folder: String) -> String { base.location(of: folder) }
    public func prepare(observer: TransferObserver) async throws { try await base.prepare(observer: observer) }

    public func put(_ key: String, from source: FileRange, observer: TransferObserver) async throws -> ContentDigest {
        try await base.put(key, from: source, observer: observer)
    }

    public func stat(_ key: String) async throws -> ObjectInfo? { try await base.stat(key) }
    public func list(prefix: String) -> AsyncThrowingStream<ObjectInfo, any Error> { base.list(prefix: prefix) }

    public func get(_ key: String, to localPath: String, observer: TransferObserver) async throws -> ContentDigest {
        try await base.get(key, to: localPath, observer: observer)
    }

    public func delete(_ keys: [String]) async throws { try await base.delete(keys) }

    public func removeStaleUploads(olderThan cutoff: Date, observer: TransferObserver) async throws -> Int {
        try await base.removeStaleUploads(olderThan: cutoff, observer: observer)
    }

    public func validationNotes() async -> [String] { await base.validationNotes() }

    public func serverClock() async throws -> Date? { try await base.serverClock() }

    public func identityFindings() async -> [StoreFinding] { await base.identityFindings() }

    public func closeConnections() async { await base.closeConnections() }
}

import Foundation
import Transport

extension StoreError: RetryableError {
    public var isRetryable: Bool { kind == .transient }
}

/// Whole-object retry for stores whose unit is the file (scp): a put, get or stat that fails with a
/// transient error is tried again from the start under `policy`, each retry counted by the observer.
/// Stores that speak HTTP retry each request inside instead, so a multipart upload never restarts from part 1.
public struct RetryingStore: WrappingStore {
    public let base: any ObjectStore
    public let policy: RetryPolicy

    public init(_ base: any ObjectStore, policy: RetryPolicy) {
        self.base = base
        self.policy = policy
    }

    public func prepare(observer: TransferObserver) async throws {
        try await policy.run(onRetry: observer.onRetry("preparation of the \(kind) destination")) {
            try await base.prepare(observer: observer)
        }
    }

    public func put(_ key: String, from source: FileRange, observer: TransferObserver) async throws -> ContentDigest {
        try await policy.run(onRetry: observer.onRetry(key)) { try await base.put(key, from: source, observer: observer) }
    }

    public func stat(_ key: String) async throws -> ObjectInfo? {
        try await policy.run { try await base.stat(key) }
    }

    public func get(_ key: String, to localPath: String, observer: TransferObserver) async throws -> ContentDigest {
        try await policy.run(onRetry: observer.onRetry(key)) { try await base.get(key, to: localPath, observer: observer) }
    }

    public func delete(_ keys: [String]) async throws {
        try await policy.run { try await base.delete(keys) }
    }
}

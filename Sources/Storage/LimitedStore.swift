/// A store whose unit of transfer is the whole file (local), with its puts and gets held to the destination's
/// concurrency window. Stores that send parts or hold connections (s3, azure, scp) take the window themselves.
public struct LimitedStore: WrappingStore {
    public let base: any ObjectStore
    public let window: ConcurrencyWindow

    public init(_ base: any ObjectStore, window: ConcurrencyWindow) {
        self.base = base
        self.window = window
    }

    public func put(_ key: String, from source: FileRange, observer: TransferObserver) async throws -> ContentDigest {
        try await window.withPermit { try await base.put(key, from: source, observer: observer) }
    }

    public func get(_ key: String, to localPath: String, observer: TransferObserver) async throws -> ContentDigest {
        try await window.withPermit { try await base.get(key, to: localPath, observer: observer) }
    }
}

import Transport

/// A store whose uploads share one ``BandwidthLimit``: every byte a put reads to send (HTTP request bodies,
/// SFTP writes, SCP, local copies, on whatever connection) is admitted by the limit first. The limit is added to
/// the task's pacer, so a byte counter set around the put (see ``TransferObserver/metering(_:_:)``) still counts.
public struct BandwidthLimitedStore: WrappingStore {
    public let base: any ObjectStore
    public let limit: BandwidthLimit

    public init(_ base: any ObjectStore, limit: BandwidthLimit) {
        self.base = base
        self.limit = limit
    }

    public func put(_ key: String, from source: FileRange, observer: TransferObserver) async throws -> ContentDigest {
        try await OwnThreadContext.adding(limit) {
            try await base.put(key, from: source, observer: observer)
        }
    }
}

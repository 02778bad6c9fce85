import Logging
import Synchronization

/// Counts what one destination moved and tried again during one operation of a run (a backup, a restore),
/// and logs each retry the same way for every store: `<kind> retrying after a failure`.
/// Stores call it; the run reads it for its report, logs, progress and metrics.
public final class TransferObserver: Sendable {
    public let kind: String
    public let logger: Logger
    private let retryCount = Atomic<Int>(0)
    private let byteCount = Atomic<Int64>(0)
    private let objectCount = Atomic<Int>(0)
    /// Bytes read to send so far, for progress (see `TransferObserver+Progress.swift`).
    let sentCount = Atomic<Int64>(0)

    public init(kind: String, logger: Logger) {
        self.kind = kind
        self.logger = logger
    }

    public var retries: Int { retryCount.load(ordering: .relaxed) }
    public var bytes: Int64 { byteCount.load(ordering: .relaxed) }
    public var objects: Int { objectCount.load(ordering: .relaxed) }

    /// A failed attempt at `what` (a request, a file) that will be tried again after `delay`.
    public func retrying(_ what: String, attempt: Int, error: any Error, delay: Duration) {
        retryCount.add(1, ordering: .relaxed)
        logger.warning("\(kind) retrying after a failure", metadata: [
            "what": .string(what), "attempt": .stringConvertible(attempt),
            "delay_seconds": .stringConvertible(Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18),
            "error": .string("\(error)"),
        ])
    }

    /// The `onRetry` of a `RetryPolicy.run` for `what`.
    public func onRetry(_ what: String) -> @Sendable (Int, any Error, Duration) -> Void {
        { attempt, error, delay in self.retrying(what, attempt: attempt, error: error, delay: delay) }
    }

    /// An object of `bytes` bytes went whole to or from the store.
    public func completed(bytes: Int64) {
        byteCount.add(bytes, ordering: .relaxed)
        objectCount.add(1, ordering: .relaxed)
    }
}

extension Optional where Wrapped == TransferObserver {
    /// The `onRetry` of a `RetryPolicy.run` for `what`: tells the observer of each retry, when there is one.
    public func onRetry(_ what: String) -> @Sendable (Int, any Error, Duration) -> Void {
        guard let observer = self else { return { _, _, _ in } }
        return observer.onRetry(what)
    }
}

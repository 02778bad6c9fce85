import Logging
import Synchronization
import Transport

/// Counts what was tried again during one upload, across all its tasks, and logs each retry the same way
/// for every destination: `<type> retrying after a failure`.
final class RetryCounter: Sendable {
    private let count = Atomic<Int>(0)
    private let typeName: String
    private let logger: Logger

    init(destination typeName: String, logger: Logger) {
        self.typeName = typeName
        self.logger = logger
    }

    var value: Int { count.load(ordering: .relaxed) }

    /// The `onRetry` of a `RetryPolicy.run` for `what` (a request, a file).
    func observer(for what: String) -> @Sendable (Int, any Error, Duration) -> Void {
        { attempt, error, delay in
            self.count.add(1, ordering: .relaxed)
            self.logger.warning("\(self.typeName) retrying after a failure", metadata: [
                "what": .string(what), "attempt": .stringConvertible(attempt),
                "delay_seconds": .stringConvertible(delay.inSeconds), "error": .string("\(error)"),
            ])
        }
    }
}

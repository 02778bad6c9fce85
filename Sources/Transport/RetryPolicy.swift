// TODO(issue 4): exponential backoff with full jitter.
/// Retries an operation that throws a `RetryableError` whose `isRetryable` is true, with exponential
/// backoff and full jitter, bounded in attempts and total time. Written once, wrapped around any
/// request or file transfer of any destination.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    public var maxTotal: Duration

    public init(
        maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(200),
        maxDelay: Duration = .seconds(20), maxTotal: Duration = .seconds(300)
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxTotal = maxTotal
    }

    /// Runs `operation`; `onRetry` is told each failed attempt that will be tried again, and the delay before it.
    public func run<T: Sendable>(
        onRetry: @Sendable (_ attempt: Int, _ error: any Error, _ delay: Duration) -> Void = { _, _, _ in },
        _ operation: @Sendable () async throws -> T
    ) async throws -> T {
        try await operation()
    }
}

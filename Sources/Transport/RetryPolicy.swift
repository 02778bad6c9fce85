/// Retries an operation that throws a `RetryableError` whose `isRetryable` is true, with exponential
/// backoff and full jitter, bounded in attempts and total time. Written once, wrapped around any
/// request or file transfer of any destination.
///
/// Attempt `n` (from 1) that fails is followed by a pause drawn uniformly from
/// `0 ... min(maxDelay, baseDelay × 2^(n-1))` ("full jitter"). It gives up, rethrowing the last error, when
/// the error is not retryable, after `maxAttempts` attempts, or when the pause would end after `maxTotal`
/// since the first failure — since the moment the first failed attempt stopped moving data, for a stall
/// (``RetryableError/idleBeforeFailure``): so a server that never answers is given up on within `maxTotal` and one
/// stall, while a long transfer that fails late is still retried. Cancellation stops at once: no further attempt.
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

    /// A policy that tries once.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// Runs `operation`; `onRetry` is told each failed attempt that will be tried again, and the delay before it.
    public func run<T: Sendable>(
        onRetry: @Sendable (_ attempt: Int, _ error: any Error, _ delay: Duration) -> Void = { _, _, _ in },
        _ operation: @Sendable () async throws -> T
    ) async throws -> T {
        let clock = ContinuousClock()
        var firstFailure: ContinuousClock.Instant?
        var attempt = 1
        while true {
            try Task.checkCancellation()
            do {
                return try await operation()
            } catch {
                guard !Task.isCancelled, Self.isRetryable(error), attempt < maxAttempts else { throw error }
                let delay = jitteredDelay(afterAttempt: attempt)
                // The budget starts at the first failure (a long transfer that fails late is still retried), or
                // where its stall began: time spent waiting on a silent server is time already spent.
                let failedAt = firstFailure ?? clock.now - ((error as? any RetryableError)?.idleBeforeFailure ?? .zero)
                firstFailure = failedAt
                guard clock.now - failedAt + delay <= maxTotal else { throw error }
                onRetry(attempt, error, delay)
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }

    /// The pause after failed attempt `attempt`: uniform in `0 ... min(maxDelay, baseDelay × 2^(attempt-1))`.
    public func jitteredDelay(afterAttempt attempt: Int) -> Duration {
        let ceiling = backoffCeiling(afterAttempt: attempt)
        let nanoseconds = ceiling.nanoseconds
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds))
    }

    /// The upper bound of the pause after failed attempt `attempt`.
    public func backoffCeiling(afterAttempt attempt: Int) -> Duration {
        let exponent = max(0, min(attempt - 1, 40))
        let grown = baseDelay.nanoseconds.multipliedReportingOverflow(by: Int64(1) << exponent)
        let nanoseconds = grown.overflow ? maxDelay.nanoseconds : min(grown.partialValue, maxDelay.nanoseconds)
        return .nanoseconds(nanoseconds)
    }

    static func isRetryable(_ error: any Error) -> Bool {
        (error as? any RetryableError)?.isRetryable ?? false
    }
}

/// An error the retry policy may try again.
public protocol RetryableError: Error {
    var isRetryable: Bool { get }
    /// How long the failed attempt moved (almost) nothing before it failed; nil when it did not stall.
    var idleBeforeFailure: Duration? { get }
}

extension RetryableError {
    public var idleBeforeFailure: Duration? { nil }
}

/// The original's retry schedule for each alert request (cenk/backoff with no randomization): the pause
/// after a failed attempt starts at 1 s and doubles up to 16 s; no attempt is retried once more than
/// `timeout_seconds` have passed since the first attempt began.
public struct AlertBackoff: Sendable, Equatable {
    public static let initialInterval: Duration = .seconds(1)
    public static let multiplier = 2
    public static let maxInterval: Duration = .seconds(16)

    public var maxElapsed: Duration

    public init(maxElapsed: Duration) {
        self.maxElapsed = maxElapsed
    }

    /// The pause after failed attempt `attempt` (from 1): 1, 2, 4, 8, 16, 16, … seconds.
    public func interval(afterAttempt attempt: Int) -> Duration {
        var interval = Self.initialInterval
        for _ in 1..<max(1, attempt) {
            interval *= Self.multiplier
            if interval >= Self.maxInterval { return Self.maxInterval }
        }
        return min(interval, Self.maxInterval)
    }

    /// The pause before trying again after failed attempt `attempt`, `elapsed` after the first attempt began;
    /// nil to give up.
    public func pause(afterAttempt attempt: Int, elapsed: Duration) -> Duration? {
        elapsed > maxElapsed ? nil : interval(afterAttempt: attempt)
    }
}

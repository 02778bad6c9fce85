import Manifest
import Transport

/// The one place where a destination's retry settings become what its transfers run under.
extension RetrySettings {
    /// The policy wrapped around each request (s3, azure) or file (scp): `retry_attempts` attempts at most,
    /// none started `retry_timeout` after the first failure; the backoff between them is the policy's own.
    public var policy: RetryPolicy {
        RetryPolicy(maxAttempts: attempts, maxTotal: .clamped(seconds: timeoutSeconds))
    }

    /// `stall_timeout`: how long a transfer (libcurl) or one SSH step (libssh2) may go without progress.
    public var stallTimeout: Duration {
        .clamped(seconds: stallSeconds)
    }
}

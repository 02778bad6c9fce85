import Transport
/// The one error every store throws. Its kind says what the caller may do about it; its message is shown
/// to operators as is and never holds a secret.
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The object (or bucket, container, folder) is not there.
        case notFound = "not_found"
        /// The credentials or the host key were refused.
        case unauthorized
        /// Worth trying again: a dropped connection, a stall, a 5xx, throttling.
        case transient
        /// Trying again will not help: a bad setting, a refused request, a local file that cannot be read.
        case permanent
        /// The caller's task was cancelled.
        case cancelled
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

extension StoreError {
    /// `error` as a `StoreError`: kept when it already is one, cancelled for a cancellation, a transport failure
    /// transient when a retry may fix it, `fallback` otherwise; `prefix` goes before the text of what it wraps.
    public static func from(_ error: any Error, fallback: Kind = .permanent, prefix: String = "") -> StoreError {
        if let error = error as? StoreError { return error }
        if error is CancellationError { return StoreError(.cancelled, "cancelled") }
        if let error = error as? TransportError {
            if error.kind == .cancelled { return StoreError(.cancelled, error.description) }
            return StoreError(error.isRetryable ? .transient : .permanent, prefix + error.description)
        }
        return StoreError(fallback, prefix + "\(error)")
    }
}

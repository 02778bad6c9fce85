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
    /// `error` as a `StoreError`: kept when it already is one, cancelled for a cancellation, `fallback` otherwise.
    public static func from(_ error: any Error, fallback: Kind = .permanent) -> StoreError {
        if let error = error as? StoreError { return error }
        if error is CancellationError { return StoreError(.cancelled, "cancelled") }
        return StoreError(fallback, "\(error)")
    }
}

/// A request that got no HTTP answer: the connection failed, timed out, stalled, or was cancelled.
public struct TransportError: RetryableError, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable { case connection, timeout, stalled, tls, cancelled, local }

    public var kind: Kind
    public var message: String
    /// How long the request moved (almost) nothing before it was given up on: a stall's wasted time, which the
    /// retry budget counts as already spent.
    public var idleBeforeFailure: Duration?

    public init(_ kind: Kind, _ message: String, idleBeforeFailure: Duration? = nil) {
        self.kind = kind
        self.message = message
        self.idleBeforeFailure = idleBeforeFailure
    }

    public var isRetryable: Bool {
        switch kind {
        case .connection, .timeout, .stalled: true
        case .tls, .cancelled, .local: false
        }
    }

    public var description: String { message }
}

extension TransportError {
    /// An answer that lacks what the protocol guarantees every such answer carries (a status line, a header, a
    /// document's element) was cut off on its way: as retryable as a reset connection.
    public static func cutOff(_ what: String, missing: String) -> TransportError {
        TransportError(.connection, "the answer to \(what) was cut off: it has no \(missing)")
    }
}

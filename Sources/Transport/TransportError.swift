/// A request that got no HTTP answer: the connection failed, timed out, stalled, or was cancelled.
public struct TransportError: RetryableError, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable { case connection, timeout, stalled, tls, cancelled, local }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var isRetryable: Bool {
        switch kind {
        case .connection, .timeout, .stalled: true
        case .tls, .cancelled, .local: false
        }
    }

    public var description: String { message }
}

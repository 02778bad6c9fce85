/// One HTTP request, already signed: the client sends exactly these headers.
public struct HTTPRequest: Sendable {
    public var method: String
    /// Absolute URL, already percent-encoded.
    public var url: String
    public var headers: [HTTPHeader]
    public var body: HTTPBody

    public init(method: String, url: String, headers: [HTTPHeader] = [], body: HTTPBody = .empty) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// What a request carries. `.file` is read straight from disk while it is sent (pread), never held whole in memory.
public enum HTTPBody: Sendable, Equatable {
    case empty
    case bytes([UInt8])
    case file(path: String, offset: Int64, length: Int64)

    public var length: Int64 {
        switch self {
        case .empty: 0
        case .bytes(let bytes): Int64(bytes.count)
        case .file(_, _, let length): length
        }
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lowercased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

public struct HTTPClientOptions: Sendable {
    /// PEM text of extra CA certificates, trusted on top of the system bundle.
    public var caCertPEM: String?
    public var skipTLSVerification: Bool
    public var connectTimeout: Duration
    /// A transfer that moves no byte for this long is aborted (and may be retried).
    public var stallTimeout: Duration

    public init(
        caCertPEM: String? = nil, skipTLSVerification: Bool = false,
        connectTimeout: Duration = .seconds(30), stallTimeout: Duration = .seconds(60)
    ) {
        self.caCertPEM = caCertPEM
        self.skipTLSVerification = skipTLSVerification
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
    }
}

/// An error the retry policy may try again.
public protocol RetryableError: Error {
    var isRetryable: Bool { get }
}

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

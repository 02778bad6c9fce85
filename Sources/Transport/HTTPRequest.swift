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
    /// A range of a file already open: read through its descriptor, so a file renamed over or removed meanwhile
    /// cannot change what is sent.
    case open(OpenFile, offset: Int64, length: Int64)

    public var length: Int64 {
        switch self {
        case .empty: 0
        case .bytes(let bytes): Int64(bytes.count)
        case .file(_, _, let length): length
        case .open(_, _, let length): length
        }
    }
}

/// What SigV4 signs of a request. Paths and query items are given decoded; the signer encodes them,
/// and `PercentEncoding` builds the URL from the same values, so what is sent is what was signed.
public struct SigV4Request: Sendable, Equatable {
    public struct QueryItem: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String = "") {
            self.name = name
            self.value = value
        }
    }

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var method: String
    /// The decoded path, starting with `/`.
    public var path: String
    public var query: [QueryItem]
    /// Every header to sign, `host` included; names in any case, repeats allowed.
    public var headers: [Header]

    public init(method: String, path: String, query: [QueryItem] = [], headers: [Header] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }

    /// The encoded query string for a URL: the same encoding the signature uses, in the given order.
    public var encodedQuery: String {
        query.map { PercentEncoding.encodeComponent($0.name) + "=" + PercentEncoding.encodeComponent($0.value) }
            .joined(separator: "&")
    }
}

// TODO(issue 4): libcurl implementation (own thread per transfer, reused connections, stall timeout, cancellation).
/// Sends requests over libcurl. One `send` is one attempt: any HTTP status is returned, not thrown;
/// no answer at all throws `TransportError`. Safe to share across tasks.
public final class HTTPClient: Sendable {
    public let options: HTTPClientOptions

    public init(options: HTTPClientOptions = HTTPClientOptions()) {
        self.options = options
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        throw TransportError(.local, "HTTP is not available in this build")
    }
}

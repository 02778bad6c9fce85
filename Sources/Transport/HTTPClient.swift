/// Sends requests over libcurl. One `send` is one attempt: any HTTP status is returned, not thrown;
/// no answer at all throws `TransportError`. Safe to share across tasks.
///
/// Each transfer runs on a thread of its own (never on the Swift concurrency pool) with an easy handle
/// taken from a pool, so connections are reused. A `.file` body is read with `pread` as it is sent.
/// Cancelling the calling task aborts the transfer within about a second.
public final class HTTPClient: Sendable {
    public let options: HTTPClientOptions
    let trust: TrustSettings
    let pool = CurlHandlePool()

    public init(options: HTTPClientOptions = HTTPClientOptions()) {
        self.options = options
        self.trust = TrustSettings(options)
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let options = options
        let trust = trust
        let pool = pool
        return try await onOwnThread { cancellation in
            let handle = try pool.take()
            defer { pool.giveBack(handle) }
            return try handle.perform(request, options: options, trust: trust, cancellation: cancellation)
        }
    }
}

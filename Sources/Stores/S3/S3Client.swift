import Foundation
import Signing
import Storage
import Transport

/// Signed requests to one bucket, each retried by the retry policy. Every request is signed with the
/// SHA-256 of its payload and a fresh date on every attempt. Requests that move object bytes hold a permit
/// of the destination's concurrency window for each attempt (never while waiting to try again).
struct S3Client: Sendable {
    /// One S3 call: what to send and how to name it in an error.
    struct Operation: Sendable {
        var name: String
        var method: String
        /// The object key; nil for a request on the bucket itself.
        var key: String?
        var query: [SigV4Request.QueryItem] = []
        /// Extra headers; all of them are signed.
        var headers: [HTTPHeader] = []
        var body: HTTPBody = .empty
        var payloadHash: String = SigV4Signer.emptyPayloadHash
        /// Statuses handed back to the caller instead of thrown (a HEAD's 404, say).
        var accepted: Set<Int> = []
        /// S3 can answer 200 with an `<Error>` document (CompleteMultipartUpload); treat that as the error it is.
        var errorInSuccessBody = false
        /// Whether the request moves object bytes (a PUT, a part, a GET) and so takes a permit of the window.
        var takesPermit = false
        /// Headers (lowercase) every 2xx answer to this request carries: an answer without one was cut off on its
        /// way, and is retried like a reset connection.
        var requiredHeaders: [String] = []
        /// An XML element a 2xx answer's body must hold, for the same reason.
        var requiredElement: String?
    }

    let http: HTTPClient
    let endpoint: S3Endpoint
    let bucket: String
    let region: String
    /// Asked before every attempt: temporary credentials may have been renewed since the last one.
    let credentials: any S3CredentialProvider
    var retry: RetryPolicy
    let window: ConcurrencyWindow

    /// The request as it goes on the wire for `operation`, signed with `keys` at `date`. Temporary keys add
    /// their session token as `x-amz-security-token`, signed with the other headers.
    func request(for operation: Operation, signedWith keys: SigV4Credentials, at date: Date = Date()) -> HTTPRequest {
        let amzDate = SigV4Signer.amzDate(date)
        let path = endpoint.path(bucket: bucket, key: operation.key)
        var headers = [HTTPHeader("Host", endpoint.hostHeader), HTTPHeader("x-amz-date", amzDate),
                       HTTPHeader("x-amz-content-sha256", operation.payloadHash)]
        if let token = keys.securityTokenHeader { headers.append(HTTPHeader(token.name, token.value)) }
        headers += operation.headers
        let toSign = SigV4Request(
            method: operation.method, path: path, query: operation.query,
            headers: headers.map { SigV4Request.Header($0.name, $0.value) }
        )
        let signature = SigV4Signer(credentials: keys, region: region).sign(toSign, payloadHash: operation.payloadHash, amzDate: amzDate)
        headers.append(HTTPHeader("Authorization", signature.authorization))
        return HTTPRequest(
            method: operation.method,
            url: endpoint.url(encodedPath: PercentEncoding.encodePath(path), encodedQuery: toSign.encodedQuery),
            headers: headers, body: operation.body
        )
    }

    /// Sends `operation`, retrying connection errors, stalls, 5xx, 429 and S3's throttling codes; each retry
    /// is told to `observer`. Returns a 2xx answer or one of `operation.accepted`; throws `S3Error` for any other.
    func send(
        _ operation: Operation, observer: TransferObserver?, onRetry: @escaping @Sendable () -> Void = {}
    ) async throws -> HTTPResponse {
        let told = observer.onRetry(operation.name)
        let retried = operation.takesPermit ? window : nil
        return try await retry.run(onRetry: { attempt, error, delay in
            onRetry()
            retried?.noteRetry()
            told(attempt, error, delay)
        }) {
            let response = try await withPermit(operation) {
                try await http.send(request(for: operation, signedWith: try await credentials.credentials()))
            }
            return try checked(response, of: operation)
        }
    }

    /// Sends `operation` (a GET) and streams a 2xx answer's body into the file at `path`, as `send` retries.
    func download(_ operation: Operation, to path: String, observer: TransferObserver?) async throws -> HTTPDownload {
        try await retry.run(onRetry: observer.onRetry(operation.name)) {
            let download = try await withPermit(operation) {
                try await http.download(request(for: operation, signedWith: try await credentials.credentials()), to: path)
            }
            _ = try checked(download.response, of: operation)
            return download
        }
    }

    private func withPermit<T: Sendable>(_ operation: Operation, _ body: @Sendable () async throws -> T) async throws -> T {
        operation.takesPermit ? try await window.withPermit(bytes: operation.body.length, body) : try await body()
    }

    private func checked(_ response: HTTPResponse, of operation: Operation) throws -> HTTPResponse {
        if operation.accepted.contains(response.status) { return response }
        if (200..<300).contains(response.status) {
            if operation.errorInSuccessBody, response.bodyText.contains("<Error>") {
                throw S3Error(response: response, operation: operation.name, bucket: bucket)
            }
            try response.requireHeaders(operation.requiredHeaders, answering: "S3 \(operation.name)")
            if let element = operation.requiredElement, XMLText.first(element, in: response.bodyText) == nil {
                throw TransportError.cutOff("S3 \(operation.name)", missing: "its \(element)")
            }
            return response
        }
        throw S3Error(response: response, operation: operation.name, bucket: bucket)
    }
}

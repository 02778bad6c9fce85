import Foundation
import Logging
import Signing
import Transport

/// Signed requests to one bucket, each retried by the retry policy. Every request is signed with the
/// SHA-256 of its payload and a fresh date on every attempt.
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
    }

    let http: HTTPClient
    let endpoint: S3Endpoint
    let bucket: String
    let signer: SigV4Signer
    var retry: RetryPolicy
    let retries: RetryCounter
    let logger: Logger

    var region: String { signer.region }

    /// The request as it goes on the wire for `operation`, signed at `date`.
    func request(for operation: Operation, at date: Date = Date()) -> HTTPRequest {
        let amzDate = SigV4Signer.amzDate(date)
        let path = endpoint.path(bucket: bucket, key: operation.key)
        var headers = [HTTPHeader("Host", endpoint.hostHeader), HTTPHeader("x-amz-date", amzDate),
                       HTTPHeader("x-amz-content-sha256", operation.payloadHash)] + operation.headers
        let toSign = SigV4Request(
            method: operation.method, path: path, query: operation.query,
            headers: headers.map { SigV4Request.Header($0.name, $0.value) }
        )
        let signature = signer.sign(toSign, payloadHash: operation.payloadHash, amzDate: amzDate)
        headers.append(HTTPHeader("Authorization", signature.authorization))
        return HTTPRequest(
            method: operation.method,
            url: endpoint.url(encodedPath: PercentEncoding.encodePath(path), encodedQuery: toSign.encodedQuery),
            headers: headers, body: operation.body
        )
    }

    /// Sends `operation`, retrying connection errors, stalls, 5xx, 429 and S3's throttling codes.
    /// Returns a 2xx answer or one of `operation.accepted`; throws `S3Error` for any other answer.
    func send(_ operation: Operation) async throws -> HTTPResponse {
        try await retry.run(onRetry: retries.observer(for: operation.name)) {
            let response = try await http.send(request(for: operation))
            if operation.accepted.contains(response.status) { return response }
            if (200..<300).contains(response.status) {
                if operation.errorInSuccessBody, response.bodyText.contains("<Error>") {
                    throw S3Error(response: response, operation: operation.name, bucket: bucket)
                }
                return response
            }
            throw S3Error(response: response, operation: operation.name, bucket: bucket)
        }
    }
}

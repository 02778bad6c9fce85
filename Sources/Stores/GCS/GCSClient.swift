import Foundation
import Storage
import Transport

/// The JSON API operations a store needs, each sent with a bearer token through the retry policy and
/// checked for the status it should get. A 401 renews the token and tries once more at once (a token may
/// be revoked before its time). Failures are thrown as they come (`GCSServiceError`, `TransportError`,
/// `StoreError`); the store maps them.
struct GCSClient: Sendable {
    let endpoint: GCSEndpoint
    let project: String
    let http: HTTPClient
    let retry: RetryPolicy
    let tokens: GCSTokenSource
    let window: ConcurrencyWindow

    var account: String { tokens.account.clientEmail }
    var bucket: String { endpoint.bucket }

    /// Buckets.get: whether the bucket exists.
    func bucketExists(observer: TransferObserver?) async throws -> Bool {
        let response = try await send(
            "get bucket \(bucket)", method: "GET", url: endpoint.bucketURL, expecting: [200, 404],
            permission: "the storage.buckets.get permission on bucket \(bucket)", observer: observer)
        return response.status == 200
    }

    /// Buckets.insert in the project; a bucket that appeared meanwhile is fine.
    func createBucket(observer: TransferObserver?) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["name": bucket])
        _ = try await send(
            "create bucket \(bucket) in project \(project)", method: "POST", url: endpoint.createBucketURL(project: project),
            headers: [HTTPHeader("Content-Type", "application/json")], body: .bytes(Array(body)), expecting: [200, 409],
            permission: "the storage.buckets.create permission in project \(project)", observer: observer)
    }

    /// Objects.get (metadata): the object, or nil when there is none.
    func object(_ name: String) async throws -> GCSObjectResource? {
        let operation = "get object \(name)"
        let response = try await send(
            operation, method: "GET", url: endpoint.objectURL(name), expecting: [200, 404],
            permission: "the storage.objects.get permission on bucket \(bucket)")
        return response.status == 404 ? nil : try GCSObjectResource.decode(response.body, operation: operation)
    }

    /// Objects.list: one page of the objects whose names start with `prefix`.
    func list(prefix: String, pageToken: String?) async throws -> GCSListPage {
        let operation = "list objects \(prefix)"
        let response = try await send(
            operation, method: "GET", url: endpoint.listURL(prefix: prefix, pageToken: pageToken), expecting: [200],
            permission: "the storage.objects.list permission on bucket \(bucket)")
        return try GCSListPage.decode(response.body, operation: operation)
    }

    /// Objects.get with `alt=media`: streams the object into the file at `path`; its size and SHA-256 as written.
    func download(_ name: String, to path: String, observer: TransferObserver?) async throws -> HTTPDownload {
        let operation = "download object \(name)"
        let url = endpoint.objectURL(name, query: "alt=media")
        return try await retry.run(onRetry: observer.onRetry(operation)) {
            try await window.withPermit {
                let permission = "the storage.objects.get permission on bucket \(bucket)"
                let download = try await authorized(operation, permission: permission) { token in
                    let request = HTTPRequest(method: "GET", url: url, headers: [Self.bearer(token)])
                    let download = try await http.download(request, to: path)
                    return (download.response, download)
                }
                guard download.response.status == 200 else {
                    throw GCSServiceError(operation: operation, response: download.response, permission: permission, account: account)
                }
                return download
            }
        }
    }

    /// Objects.delete; an object that is not there is fine.
    func delete(_ name: String) async throws {
        _ = try await send(
            "delete object \(name)", method: "DELETE", url: endpoint.objectURL(name), expecting: [200, 204, 404],
            permission: "the storage.objects.delete permission on bucket \(bucket)")
    }

    /// One operation under the retry policy: `expecting` are the statuses that end it; any other answer is a
    /// `GCSServiceError` (naming `permission` when it is a 403).
    func send(
        _ operation: String, method: String, url: String, headers: [HTTPHeader] = [], body: HTTPBody = .empty,
        expecting: Set<Int>, permission: String? = nil, observer: TransferObserver? = nil
    ) async throws -> HTTPResponse {
        try await retry.run(onRetry: observer.onRetry(operation)) {
            let response = try await authorized(operation, permission: permission) { token in
                let request = HTTPRequest(method: method, url: url, headers: headers + [Self.bearer(token)], body: body)
                let response = try await http.send(request)
                return (response, response)
            }
            guard expecting.contains(response.status) else {
                throw GCSServiceError(operation: operation, response: response, permission: permission, account: account)
            }
            return response
        }
    }

    /// Runs one attempt with the current token; when it is refused (401), once more with a fresh one.
    /// Any answer but a 2xx, 3xx or one `send` expects is for the caller to judge; a second 401 is thrown.
    func authorized<T: Sendable>(
        _ operation: String, permission: String?, _ attempt: @Sendable (String) async throws -> (HTTPResponse, T)
    ) async throws -> T {
        var token = try await tokens.token()
        var (response, value) = try await attempt(token)
        if response.status == 401 {
            await tokens.invalidate(token)
            token = try await tokens.token()
            (response, value) = try await attempt(token)
        }
        if response.status == 401 || response.status == 403 || response.status == 408 || response.status == 429
            || response.status >= 500 {
            throw GCSServiceError(operation: operation, response: response, permission: permission, account: account)
        }
        return value
    }

    static func bearer(_ token: String) -> HTTPHeader { HTTPHeader("Authorization", "Bearer \(token)") }
}

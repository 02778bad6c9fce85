import Foundation
import Signing
import Storage
import Transport

/// The Blob service operations a store needs, each signed with SharedKey, sent through the retry policy
/// (a fresh `x-ms-date` and signature per attempt) and checked for the status it should get. Every attempt
/// that carries blob bytes (Put Blob, Put Block, Put Block List, Get Blob) holds a permit of the window.
/// Failures are thrown as they come (`AzureServiceError`, `TransportError`); the store maps them.
struct AzureBlobClient: Sendable {
    /// The REST version sent as `x-ms-version`: blocks up to 4000 MiB, Put Blob up to 5000 MiB.
    static let apiVersion = "2021-12-02"
    /// The header that carries a request body's CRC-64 (base64 of its 8 bytes, little-endian).
    static let crc64Header = "x-ms-content-crc64"

    let endpoint: AzureEndpoint
    let container: String
    let authorization: AzureAuthorization
    let http: HTTPClient
    let retry: RetryPolicy
    let window: ConcurrencyWindow

    /// Create Container; an existing container is fine. A container SAS may not create (nor inspect) its
    /// container: its 403 is taken as "the container is there", and the first upload tells if it is not.
    func createContainer(observer: TransferObserver?) async throws {
        let url = endpoint.containerURL(container, query: "restype=container")
        let passedOver: Set<Int> = authorization.usesSAS ? [403] : []
        _ = try await send("Create Container \(container)", method: "PUT", url: url, expecting: Set([201, 409]).union(passedOver), observer: observer) {
            $0.status == 201 || passedOver.contains($0.status) || $0.header("x-ms-error-code") == "ContainerAlreadyExists"
        }
    }

    /// Put Blob: the whole range (maybe empty) as one block blob, committed when the request succeeds.
    /// `crc64` (the range's `CRC64` bytes) goes as `x-ms-content-crc64`: the service refuses a body that differs.
    func putBlob(_ blob: String, from source: FileRange, crc64: [UInt8], accessTier: String?, observer: TransferObserver?) async throws {
        var headers = [HTTPHeader("x-ms-blob-type", "BlockBlob"), HTTPHeader(Self.crc64Header, Self.base64(crc64))]
        if let accessTier { headers.append(HTTPHeader("x-ms-access-tier", accessTier)) }
        let body = source.body()
        _ = try await send("Put Blob \(blob)", method: "PUT", url: endpoint.blobURL(container, blob),
                           headers: headers, body: body, expecting: [201], permit: true, observer: observer)
    }

    /// Put Block: one uncommitted block, invisible until a block list names it; checked by the service against `crc64`.
    func putBlock(_ blob: String, blockID: String, from source: FileRange, crc64: [UInt8], observer: TransferObserver?) async throws {
        let query = "comp=block&blockid=\(AzureEndpoint.encodeQueryValue(blockID))"
        _ = try await send("Put Block \(blob) (offset \(source.offset))", method: "PUT",
                           url: endpoint.blobURL(container, blob, query: query),
                           headers: [HTTPHeader(Self.crc64Header, Self.base64(crc64))],
                           body: source.body(),
                           expecting: [201], permit: true, observer: observer)
    }

    /// Put Block List: commits the blocks, in this order, as the blob.
    func putBlockList(_ blob: String, blockIDs: [String], accessTier: String?, observer: TransferObserver?) async throws {
        var xml = #"<?xml version="1.0" encoding="utf-8"?><BlockList>"#
        for id in blockIDs { xml += "<Latest>\(id)</Latest>" }
        xml += "</BlockList>"
        let body = Array(xml.utf8)
        var headers = [HTTPHeader("Content-Type", "application/xml"), HTTPHeader("Content-MD5", Self.base64(Digest.md5(body)))]
        if let accessTier { headers.append(HTTPHeader("x-ms-access-tier", accessTier)) }
        _ = try await send("Put Block List \(blob)", method: "PUT", url: endpoint.blobURL(container, blob, query: "comp=blocklist"),
                           headers: headers, body: .bytes(body), expecting: [201], permit: true, observer: observer)
    }

    /// Get Blob Properties: the committed blob's length and time, or nil when there is no such blob (or container).
    func properties(_ blob: String) async throws -> (length: Int64, modified: Date?)? {
        let operation = "Get Blob Properties \(blob)"
        let response = try await send(operation, method: "HEAD", url: endpoint.blobURL(container, blob), expecting: [200, 404],
                                      required: [Self.requestIDHeader, "content-length"])
        if response.status == 404 { return nil }
        guard let length = response.header("content-length").flatMap({ Int64($0) }) else {
            throw StoreError(.permanent, "azure: \(operation) answered without a Content-Length")
        }
        return (length, response.header("last-modified").flatMap(HTTPDate.parse))
    }

    /// List Blobs: one page of the blobs whose names start with `prefix`, from `marker` on.
    func listBlobs(prefix: String, marker: String?) async throws -> AzureBlobListPage {
        var query = "restype=container&comp=list&prefix=\(AzureEndpoint.encodeQueryValue(prefix))"
        if let marker { query += "&marker=\(AzureEndpoint.encodeQueryValue(marker))" }
        let operation = "List Blobs \(prefix)"
        let response = try await send(operation, method: "GET", url: endpoint.containerURL(container, query: query), expecting: [200])
        do {
            return try AzureBlobListPage(xml: response.bodyText)
        } catch {
            throw StoreError(.permanent, "azure: \(operation) answered what is not a listing: \(error)")
        }
    }

    /// Get Blob: streams the blob into the file at `path`; its size and SHA-256 as written.
    func getBlob(_ blob: String, to path: String, observer: TransferObserver?) async throws -> HTTPDownload {
        let operation = "Get Blob \(blob)"
        let url = endpoint.blobURL(container, blob)
        return try await retry.run(onRetry: observer.onRetry(operation)) {
            try await window.withPermit {
                let download = try await http.download(sign(HTTPRequest(method: "GET", url: url)), to: path)
                guard download.response.status == 200 else {
                    throw AzureServiceError(operation: operation, response: download.response, sas: authorization.usesSAS)
                }
                return download
            }
        }
    }

    /// Delete Blob; a blob that is not there is fine.
    func deleteBlob(_ blob: String) async throws {
        _ = try await send("Delete Blob \(blob)", method: "DELETE", url: endpoint.blobURL(container, blob), expecting: [202, 404])
    }

    /// The header the Blob service puts on every answer it sends.
    static let requestIDHeader = "x-ms-request-id"

    /// One operation under the retry policy: `expecting` are the statuses that end it, `accept` says which of
    /// them are success (all by default); any other answer is an `AzureServiceError`. A 2xx answer without one
    /// of the `required` headers was cut off on its way and is retried like a reset connection.
    private func send(
        _ operation: String, method: String, url: String, headers: [HTTPHeader] = [], body: HTTPBody = .empty,
        expecting: Set<Int>, permit: Bool = false, observer: TransferObserver? = nil, required: [String] = [requestIDHeader],
        accept: @escaping @Sendable (HTTPResponse) -> Bool = { _ in true }
    ) async throws -> HTTPResponse {
        let told = observer.onRetry(operation)
        let retried = permit ? window : nil
        return try await retry.run(onRetry: { attempt, error, delay in
            retried?.noteRetry()
            told(attempt, error, delay)
        }) {
            let attempt: @Sendable () async throws -> HTTPResponse = {
                let response = try await http.send(sign(HTTPRequest(method: method, url: url, headers: headers, body: body)))
                if (200..<300).contains(response.status) { try response.requireHeaders(required, answering: "azure \(operation)") }
                guard expecting.contains(response.status), accept(response) else {
                    throw AzureServiceError(operation: operation, response: response, sas: authorization.usesSAS)
                }
                return response
            }
            return permit ? try await window.withPermit(bytes: body.length, attempt) : try await attempt()
        }
    }

    /// Adds `x-ms-date`, `x-ms-version` and the authorization (SharedKey header or SAS query) for the moment of sending.
    private func sign(_ request: HTTPRequest) -> HTTPRequest {
        var dated = request
        dated.headers += [HTTPHeader("x-ms-date", HTTPDate.format(Date())), HTTPHeader("x-ms-version", Self.apiVersion)]
        return authorization.authorize(dated)
    }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}

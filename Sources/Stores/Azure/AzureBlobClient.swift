import Foundation
import Signing
import Transport

/// The few Blob service operations a backup needs, each signed with SharedKey, sent through the shared
/// retry policy (a fresh `x-ms-date` and signature per attempt) and checked for the status it should get.
struct AzureBlobClient: Sendable {
    /// The REST version sent as `x-ms-version`: blocks up to 4000 MiB, Put Blob up to 5000 MiB.
    static let apiVersion = "2021-12-02"

    let endpoint: AzureEndpoint
    let container: String
    let signer: SharedKeySigner
    let http: HTTPClient
    let retry: RetryPolicy
    let retries: RetryCounter

    /// Create Container; an existing container is fine.
    func createContainer() async throws {
        let url = endpoint.containerURL(container, query: "restype=container")
        _ = try await send("Create Container \(container)", method: "PUT", url: url, expecting: [201]) { response in
            response.status == 409 && response.header("x-ms-error-code") == "ContainerAlreadyExists"
        }
    }

    /// Put Blob: the whole file (maybe empty) as one block blob, committed when the request succeeds.
    func putBlob(_ blob: String, file: String, length: Int64, md5: [UInt8], accessTier: String?) async throws {
        var headers = [HTTPHeader("x-ms-blob-type", "BlockBlob"), HTTPHeader("Content-MD5", Self.base64(md5))]
        if let accessTier { headers.append(HTTPHeader("x-ms-access-tier", accessTier)) }
        let body: HTTPBody = length == 0 ? .empty : .file(path: file, offset: 0, length: length)
        _ = try await send("Put Blob \(blob)", method: "PUT", url: endpoint.blobURL(container, blob),
                           headers: headers, body: body, expecting: [201])
    }

    /// Put Block: one uncommitted block, invisible until a block list names it.
    func putBlock(_ blob: String, blockID: String, file: String, offset: Int64, length: Int64, md5: [UInt8]) async throws {
        let query = "comp=block&blockid=\(AzureEndpoint.encodeQueryValue(blockID))"
        _ = try await send("Put Block \(blob) (offset \(offset))", method: "PUT",
                           url: endpoint.blobURL(container, blob, query: query),
                           headers: [HTTPHeader("Content-MD5", Self.base64(md5))],
                           body: .file(path: file, offset: offset, length: length), expecting: [201])
    }

    /// Put Block List: commits the blocks, in this order, as the blob.
    func putBlockList(_ blob: String, blockIDs: [String], accessTier: String?) async throws {
        var xml = #"<?xml version="1.0" encoding="utf-8"?><BlockList>"#
        for id in blockIDs { xml += "<Latest>\(id)</Latest>" }
        xml += "</BlockList>"
        let body = Array(xml.utf8)
        var headers = [HTTPHeader("Content-Type", "application/xml"), HTTPHeader("Content-MD5", Self.base64(Digest.md5(body)))]
        if let accessTier { headers.append(HTTPHeader("x-ms-access-tier", accessTier)) }
        _ = try await send("Put Block List \(blob)", method: "PUT", url: endpoint.blobURL(container, blob, query: "comp=blocklist"),
                           headers: headers, body: .bytes(body), expecting: [201])
    }

    /// Get Blob Properties: the committed blob's length.
    func blobLength(_ blob: String) async throws -> Int64 {
        let operation = "Get Blob Properties \(blob)"
        let response = try await send(operation, method: "HEAD", url: endpoint.blobURL(container, blob), expecting: [200])
        guard let length = response.header("content-length").flatMap({ Int64($0) }) else {
            throw DestinationError("azure: \(operation) answered without a Content-Length")
        }
        return length
    }

    private func send(
        _ operation: String, method: String, url: String, headers: [HTTPHeader] = [], body: HTTPBody = .empty,
        expecting: Set<Int>, alsoFine: @Sendable (HTTPResponse) -> Bool = { _ in false }
    ) async throws -> HTTPResponse {
        return try await retry.run(onRetry: retries.observer(for: operation)) {
            let request = sign(HTTPRequest(method: method, url: url, headers: headers, body: body))
            let response = try await http.send(request)
            guard expecting.contains(response.status) || alsoFine(response) else {
                throw AzureServiceError(operation: operation, response: response)
            }
            return response
        }
    }

    /// Adds `x-ms-date`, `x-ms-version` and the SharedKey `Authorization` for the moment of sending.
    private func sign(_ request: HTTPRequest) -> HTTPRequest {
        var signed = request
        signed.headers += [HTTPHeader("x-ms-date", Self.httpDate(Date())), HTTPHeader("x-ms-version", Self.apiVersion)]
        let authorization = signer.authorization(
            method: signed.method, url: signed.url, headers: signed.headers.map { (name: $0.name, value: $0.value) },
            contentLength: signed.body.length)
        signed.headers.append(HTTPHeader("Authorization", authorization))
        return signed
    }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// RFC 1123 date in GMT, as `x-ms-date` wants it: `Mon, 02 Jan 2024 03:04:05 GMT`.
    static func httpDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT")!
        let c = calendar.dateComponents([.weekday, .day, .month, .year, .hour, .minute, .second], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(String(format: "%04d", c.year ?? 1970)) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) GMT"
    }
}

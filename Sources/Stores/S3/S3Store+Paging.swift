import Signing
import Storage

typealias SigV4Query = SigV4Request.QueryItem

/// Walking S3's paginated listings page by page.
extension S3Store {
    /// Every page of ListObjectsV2 for `prefix` (a full key prefix), following continuation tokens.
    func forEachObjectPage(prefix: String, _ body: (S3Listing.ObjectPage) async throws -> Void) async throws {
        let client = try await client(observer: nil)
        var token: String?
        repeat {
            var query: [SigV4Query] = [.init("list-type", "2"), .init("prefix", prefix), .init("encoding-type", "url")]
            if let token { query.append(.init("continuation-token", token)) }
            let name = "listing of \(prefix.isEmpty ? "/" : prefix)"
            let response = try await client.send(.init(name: name, method: "GET", key: nil, query: query), observer: nil)
            guard let page = S3Listing.objectPage(response.bodyText) else {
                throw StoreError(.permanent, "S3 \(name) in bucket \(settings.bucketName) failed: the answer is not a listing")
            }
            try await body(page)
            token = page.nextContinuationToken
        } while token != nil
    }

    /// Every page of ListMultipartUploads for `prefix` (a full key prefix), following the markers.
    func forEachUploadPage(
        prefix: String, observer: TransferObserver, _ body: (S3Listing.UploadPage) async throws -> Void
    ) async throws {
        let client = try await client(observer: observer)
        var markers: (keyMarker: String, uploadIDMarker: String)?
        repeat {
            var query: [SigV4Query] = [.init("uploads"), .init("prefix", prefix), .init("encoding-type", "url")]
            if let markers {
                query += [.init("key-marker", markers.keyMarker), .init("upload-id-marker", markers.uploadIDMarker)]
            }
            let name = "listing of multipart uploads under \(prefix.isEmpty ? "/" : prefix)"
            let response = try await client.send(.init(name: name, method: "GET", key: nil, query: query), observer: observer)
            guard let page = S3Listing.uploadPage(response.bodyText) else {
                throw StoreError(.permanent, "S3 \(name) in bucket \(settings.bucketName) failed: the answer is not a listing")
            }
            try await body(page)
            markers = page.next
        } while markers != nil
    }
}

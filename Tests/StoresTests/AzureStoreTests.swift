import Foundation
import Manifest
import Storage
import Testing
import Transport
@testable import Stores

@Suite struct AzureStoreTests {
    func settings(
        key: String = "c2VjcmV0", container: String = "backups", path: String = "p", endpoint: String? = nil,
        blockSize: Int64? = nil, accessTier: String? = nil
    ) -> AzureSettings {
        AzureSettings(storageAccount: "acct", storageAccessKey: Secret(key), container: container, path: path,
                      endpoint: endpoint, blockSize: blockSize, accessTier: accessTier)
    }

    func store(_ settings: AzureSettings) throws -> AzureStore {
        try AzureStore(settings: settings, window: ConcurrencyWindow(permits: 2))
    }

    @Test func endpointSuffixGivesAccountHost() throws {
        #expect(try settings().blobServiceURL() == "https://acct.blob.core.windows.net")
        #expect(try settings(endpoint: "core.chinacloudapi.cn").blobServiceURL() == "https://acct.blob.core.chinacloudapi.cn")
        #expect(try settings(endpoint: "").blobServiceURL() == "https://acct.blob.core.windows.net")
        #expect(try settings(endpoint: ".core.usgovcloudapi.net/").blobServiceURL() == "https://acct.blob.core.usgovcloudapi.net")
    }

    @Test func endpointURLIsUsedAsGiven() throws {
        let base = try settings(endpoint: "http://127.0.0.1:10000/devstoreaccount1/").blobServiceURL()
        #expect(base == "http://127.0.0.1:10000/devstoreaccount1")
        #expect(AzureEndpoint(base: base).blobURL("c", "a b/café+#?.txt", query: "comp=blocklist")
            == "http://127.0.0.1:10000/devstoreaccount1/c/a%20b/caf%C3%A9%2B%23%3F.txt?comp=blocklist")
        #expect(throws: AzureSettings.EndpointError.self) { try settings(endpoint: "ftp://host/x").blobServiceURL() }
        #expect(throws: AzureSettings.EndpointError.self) { try settings(endpoint: "a b").blobServiceURL() }
    }

    @Test func summaryAndStoreUseTheOneBaseURL() throws {
        let config = DestinationConfiguration(kind: .azure(settings(endpoint: "http://127.0.0.1:9/acct/")))
        #expect(config.target == "http://127.0.0.1:9/acct/backups/p")
        #expect(try store(settings(endpoint: "http://127.0.0.1:9/acct/")).client.endpoint.base == "http://127.0.0.1:9/acct")
    }

    @Test func keysAreRelativeToThePath() throws {
        let nested = try store(settings(path: "/redis/backups/"))
        #expect(nested.blob("2026/01/02/dump.rdb") == "redis/backups/2026/01/02/dump.rdb")
        #expect(nested.location(of: "2026/01/02") == "Azure remote path /redis/backups/2026/01/02")
        #expect(try store(settings(path: "redis")).location(of: "2026/01/02") == "Azure remote path redis/2026/01/02")
        #expect(try store(settings(path: "")).blob("a/b") == "a/b")
    }

    @Test func blockIDsAreBase64OfEqualLength() {
        let ids = [0, 7, 49_999].map { BlockLayout.blockID(token: "0badf00d", index: $0) }
        #expect(Set(ids.map(\.count)).count == 1)
        #expect(Data(base64Encoded: ids[2]).map { String(decoding: $0, as: UTF8.self) } == "0badf00d-049999")
        #expect(AzureEndpoint.encodeQueryValue("ab+/=") == "ab%2B%2F%3D")
        #expect(BlockLayout.newToken().count == 8)
    }

    @Test func blockSizeGrowsToStayWithin50000Blocks() throws {
        let small = try BlockLayout(fileSize: 20 << 20, preferredBlockSize: 8 << 20)
        #expect(small.blockSize == 8 << 20 && small.count == 3 && small.length(ofBlock: 2) == 4 << 20 && !small.isSingleBlob)
        #expect(try BlockLayout(fileSize: 8 << 20, preferredBlockSize: 8 << 20).isSingleBlob)
        #expect(try BlockLayout(fileSize: 0, preferredBlockSize: 8 << 20).isSingleBlob)

        let huge = try BlockLayout(fileSize: 1 << 40, preferredBlockSize: 8 << 20)  // 1 TiB
        #expect(huge.count <= 50_000 && huge.blockSize % (1 << 20) == 0 && huge.blockSize == 21 << 20)
        #expect(huge.offset(ofBlock: huge.count - 1) + huge.length(ofBlock: huge.count - 1) == 1 << 40)

        #expect(throws: StoreError(.permanent, "azure: a file of \(200 << 40) bytes is larger than a block blob can hold")) {
            try BlockLayout(fileSize: 200 << 40, preferredBlockSize: 8 << 20)
        }
    }

    @Test func authenticationFailuresAreNamedAndNotRetried() {
        let signature = "c2lnbmF0dXJlIHRoYXQgbXVzdCBub3QgbGVhaw=="
        let badKey = AzureServiceError(operation: "Put Blob b", response: HTTPResponse(
            status: 403, headers: ["x-ms-error-code": "AuthenticationFailed"],
            body: Array(("<?xml version=\"1.0\"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.\nRequestId:1</Message>"
                + "<AuthenticationErrorDetail>The MAC signature found in the HTTP request '\(signature)' is not the same as any computed signature.</AuthenticationErrorDetail></Error>").utf8)))
        #expect(badKey.authentication == .badKey && !badKey.isRetryable)
        #expect(badKey.description.contains("storage_access_key") && !badKey.description.contains(signature))
        #expect(StoreError.azure(badKey) == StoreError(.unauthorized, badKey.description))

        let skew = AzureServiceError(operation: "Put Blob b", response: HTTPResponse(
            status: 403, body: Array("<Error><Code>AuthenticationFailed</Code><AuthenticationErrorDetail>Request date header too old: 'Mon, 01 Jan 2024 00:00:00 GMT'</AuthenticationErrorDetail></Error>".utf8)))
        #expect(skew.authentication == .clockSkew && !skew.isRetryable && skew.description.contains("clock"))
        #expect(StoreError.azure(skew).kind == .unauthorized)
    }

    @Test(arguments: [
        (503, "ServerBusy", true, StoreError.Kind.transient), (500, "OperationTimedOut", true, .transient),
        (408, "", true, .transient), (429, "", true, .transient), (400, "Md5Mismatch", false, .permanent),
        (400, "Crc64Mismatch", false, .permanent),
        (404, "BlobNotFound", false, .notFound), (404, "ContainerNotFound", false, .notFound),
        (403, "AuthorizationPermissionMismatch", false, .unauthorized), (409, "BlobAlreadyExists", false, .permanent),
    ])
    func serviceErrorsRetryLikeS3(status: Int, code: String, retryable: Bool, kind: StoreError.Kind) {
        let headers = code.isEmpty ? [:] : ["x-ms-error-code": code]
        let error = AzureServiceError(operation: "Put Block b", response: HTTPResponse(status: status, headers: headers))
        #expect(error.isRetryable == retryable)
        #expect(error.description.contains("HTTP \(status)"))
        #expect(StoreError.azure(error) == StoreError(kind, error.description))
    }

    @Test func transportFailuresAndCancellationKeepTheirKind() {
        #expect(StoreError.azure(TransportError(.stalled, "stalled")) == StoreError(.transient, "stalled"))
        #expect(StoreError.azure(TransportError(.tls, "bad certificate")) == StoreError(.permanent, "bad certificate"))
        #expect(StoreError.azure(TransportError(.cancelled, "cancelled")).kind == .cancelled)
        #expect(StoreError.azure(CancellationError()).kind == .cancelled)
        #expect(StoreError.azure(StoreError(.notFound, "x")) == StoreError(.notFound, "x"))
    }

    @Test func settingsAreCheckedWithoutShowingTheKey() throws {
        #expect(throws: Never.self) { try store(settings()) }
        do {
            _ = try store(settings(key: "not*base64 secret"))
            Issue.record("a key that is not base64 was accepted")
        } catch let error as StoreError {
            #expect(error.kind == .permanent && error.message.contains("storage_access_key") && !error.message.contains("secret"))
        }
        #expect(throws: StoreError.self) { try store(settings(container: "Bad_Name")) }
        #expect(throws: StoreError.self) { try store(settings(blockSize: 1000)) }
        #expect(throws: StoreError(.permanent, "azure: endpoint ftp://x must be an http:// or https:// URL or a domain suffix")) {
            try store(settings(endpoint: "ftp://x"))
        }
        #expect(throws: StoreError(.permanent, "azure: access_tier Icy must be Hot, Cool, Cold or Archive")) {
            try store(settings(accessTier: "Icy"))
        }
        #expect(try store(settings(accessTier: "cool")).accessTier == "Cool")
    }

    @Test func theFactoryComposesTheStoreWithItsWindow() throws {
        var azure = settings()
        azure.concurrency = 7
        let destination = try DestinationConfiguration(name: "blob", kind: .azure(azure)).makeDestination()
        #expect(destination.kind == "azure" && destination.concurrency == 7 && destination.label == "azure destination blob")
        #expect(destination.store is AzureStore)
        let unset = try DestinationConfiguration(kind: .azure(settings())).makeDestination()
        #expect(unset.concurrency == AzureSettings.defaultConcurrency)
    }

    @Test func datesAreRFC1123InGMT() {
        let date = Date(timeIntervalSince1970: 1_704_164_645)
        #expect(HTTPDate.format(date) == "Tue, 02 Jan 2024 03:04:05 GMT")
        #expect(HTTPDate.parse("Tue, 02 Jan 2024 03:04:05 GMT") == date)
        #expect(HTTPDate.parse("2024-01-02T03:04:05Z") == nil)
    }

    @Test func listingsReadEscapedAndEncodedNamesAndTheNextMarker() throws {
        func blob(_ name: String, _ size: Int) -> String {
            "<Blob>\(name)<Properties><Last-Modified>Tue, 02 Jan 2024 03:04:05 GMT</Last-Modified>"
                + "<Content-Length>\(size)</Content-Length><BlobType>BlockBlob</BlobType></Properties></Blob>"
        }
        let page = try AzureBlobListPage(xml: #"<?xml version="1.0" encoding="utf-8"?><EnumerationResults ContainerName="c">"#
            + "<Prefix>p/</Prefix><Blobs>" + blob("<Name>p/a &amp; &lt;b&gt; ☃.txt</Name>", 3)
            + blob("<Name>p/line&#xD;break&#34;</Name>", 0) + blob(#"<Name Encoded="true">p%2Fcontrol%01char</Name>"#, 12)
            + "</Blobs><NextMarker>2!cC9k</NextMarker></EnumerationResults>")
        #expect(page.blobs.map(\.name) == ["p/a & <b> ☃.txt", "p/line\rbreak\"", "p/control\u{01}char"])
        #expect(page.blobs.map(\.size) == [3, 0, 12])
        #expect(page.blobs[0].modified == Date(timeIntervalSince1970: 1_704_164_645))
        #expect(page.nextMarker == "2!cC9k")

        let last = try AzureBlobListPage(xml: "<EnumerationResults><Blobs /><NextMarker /></EnumerationResults>")
        #expect(last == AzureBlobListPage(blobs: [], nextMarker: nil))
        #expect(throws: AzureListingError.self) { try AzureBlobListPage(xml: "<Error><Code>x</Code></Error>") }
        #expect(throws: AzureListingError.self) {
            try AzureBlobListPage(xml: "<EnumerationResults><Blobs><Blob><Name>x</Name></Blob></Blobs></EnumerationResults>")
        }
    }

    @Test func removingStaleUploadsListsNothing() async throws {
        // Uncommitted blocks are the service's to collect: no request is made (the endpoint is unreachable).
        let unreachable = try store(settings(endpoint: "http://127.0.0.1:1/acct"))
        let observer = TransferObserver(kind: "azure", logger: .init(label: "test"))
        #expect(try await unreachable.removeStaleUploads(olderThan: Date(), observer: observer) == 0)
    }
}

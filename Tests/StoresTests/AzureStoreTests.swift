import Foundation
import Manifest
import Testing
import Transport
@testable import Destinations

@Test func endpointSuffixGivesAccountHost() throws {
    #expect(try AzureEndpoint(account: "acct", endpoint: nil).base == "https://acct.blob.core.windows.net")
    #expect(try AzureEndpoint(account: "acct", endpoint: "core.chinacloudapi.cn").base == "https://acct.blob.core.chinacloudapi.cn")
    #expect(try AzureEndpoint(account: "acct", endpoint: "").base == "https://acct.blob.core.windows.net")
}

@Test func endpointURLIsUsedAsGiven() throws {
    let endpoint = try AzureEndpoint(account: "devstoreaccount1", endpoint: "http://127.0.0.1:10000/devstoreaccount1/")
    #expect(endpoint.base == "http://127.0.0.1:10000/devstoreaccount1")
    #expect(endpoint.blobURL("c", "a b/café+#?.txt", query: "comp=blocklist")
        == "http://127.0.0.1:10000/devstoreaccount1/c/a%20b/caf%C3%A9%2B%23%3F.txt?comp=blocklist")
    #expect(throws: DestinationError.self) { try AzureEndpoint(account: "a", endpoint: "ftp://host/x") }
}

@Test func blockIDsAreBase64OfEqualLength() {
    let ids = [0, 7, 49_999].map { BlockLayout.blockID(token: "0badf00d", index: $0) }
    #expect(Set(ids.map(\.count)).count == 1)
    #expect(Data(base64Encoded: ids[2]).map { String(decoding: $0, as: UTF8.self) } == "0badf00d-049999")
    #expect(AzureEndpoint.encodeQueryValue("ab+/=") == "ab%2B%2F%3D")
}

@Test func blockSizeGrowsToStayWithin50000Blocks() throws {
    let small = try BlockLayout(fileSize: 20 << 20, preferredBlockSize: 8 << 20)
    #expect(small.blockSize == 8 << 20 && small.count == 3 && small.length(ofBlock: 2) == 4 << 20)

    let huge = try BlockLayout(fileSize: 1 << 40, preferredBlockSize: 8 << 20)  // 1 TiB
    #expect(huge.count <= 50_000 && huge.blockSize % (1 << 20) == 0 && huge.blockSize == 21 << 20)
    #expect(huge.offset(ofBlock: huge.count - 1) + huge.length(ofBlock: huge.count - 1) == 1 << 40)

    #expect(throws: DestinationError.self) { try BlockLayout(fileSize: 200 << 40, preferredBlockSize: 8 << 20) }
}

@Test func authenticationFailuresAreNamedAndNotRetried() {
    let signature = "c2lnbmF0dXJlIHRoYXQgbXVzdCBub3QgbGVhaw=="
    let badKey = AzureServiceError(operation: "Put Blob b", response: HTTPResponse(
        status: 403, headers: ["x-ms-error-code": "AuthenticationFailed"],
        body: Array(("<?xml version=\"1.0\"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.\nRequestId:1</Message>"
            + "<AuthenticationErrorDetail>The MAC signature found in the HTTP request '\(signature)' is not the same as any computed signature.</AuthenticationErrorDetail></Error>").utf8)))
    #expect(badKey.authentication == .badKey && !badKey.isRetryable)
    #expect(badKey.description.contains("storage_access_key") && !badKey.description.contains(signature))

    let skew = AzureServiceError(operation: "Put Blob b", response: HTTPResponse(
        status: 403, body: Array("<Error><Code>AuthenticationFailed</Code><AuthenticationErrorDetail>Request date header too old: 'Mon, 01 Jan 2024 00:00:00 GMT'</AuthenticationErrorDetail></Error>".utf8)))
    #expect(skew.authentication == .clockSkew && !skew.isRetryable && skew.description.contains("clock"))
}

@Test(arguments: [(503, "ServerBusy", true), (500, "OperationTimedOut", true), (408, "", true), (429, "", true),
                  (400, "Md5Mismatch", false), (404, "ContainerNotFound", false), (409, "BlobAlreadyExists", false)])
func serviceErrorsRetryLikeS3(status: Int, code: String, retryable: Bool) {
    let headers = code.isEmpty ? [:] : ["x-ms-error-code": code]
    let error = AzureServiceError(operation: "Put Block b", response: HTTPResponse(status: status, headers: headers))
    #expect(error.isRetryable == retryable)
    #expect(error.description.contains("HTTP \(status)"))
}

@Test func settingsAreCheckedWithoutShowingTheKey() {
    func settings(key: String = "c2VjcmV0", container: String = "backups", blockSize: Int64? = nil) -> AzureSettings {
        AzureSettings(storageAccount: "acct", storageAccessKey: Secret(key), container: container, path: "p", blockSize: blockSize)
    }
    #expect(throws: Never.self) { try AzureDestination(name: nil, settings: settings()) }
    do {
        _ = try AzureDestination(name: nil, settings: settings(key: "not*base64 secret"))
        Issue.record("a key that is not base64 was accepted")
    } catch {
        #expect("\(error)".contains("storage_access_key") && !"\(error)".contains("secret"))
    }
    #expect(throws: DestinationError.self) { try AzureDestination(name: nil, settings: settings(container: "Bad_Name")) }
    #expect(throws: DestinationError.self) { try AzureDestination(name: nil, settings: settings(blockSize: 1000)) }
}

@Test func xmsDateIsRFC1123InGMT() {
    #expect(AzureBlobClient.httpDate(Date(timeIntervalSince1970: 1_704_164_645)) == "Tue, 02 Jan 2024 03:04:05 GMT")
}

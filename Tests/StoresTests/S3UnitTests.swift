import Foundation
import Manifest
import Signing
import Storage
import Testing
import Transport
@testable import Stores

@Suite struct S3PartPlanTests {
    @Test func smallFilesAndExactlyOnePartGoAsOnePut() {
        #expect(S3PartPlan(fileSize: 0, preferredPartSize: 16 << 20).isSinglePut)
        #expect(S3PartPlan(fileSize: 16 << 20, preferredPartSize: 16 << 20).isSinglePut)
        #expect(!S3PartPlan(fileSize: (16 << 20) + 1, preferredPartSize: 16 << 20).isSinglePut)
    }

    @Test func partsCoverTheFileExactly() {
        let plan = S3PartPlan(fileSize: (40 << 20) + 7, preferredPartSize: 16 << 20)
        #expect(plan.count == 3)
        #expect(plan.part(1) == .init(number: 1, offset: 0, length: 16 << 20))
        #expect(plan.part(3) == .init(number: 3, offset: 32 << 20, length: (8 << 20) + 7))
    }

    @Test func partSizeGrowsSoNoFileNeedsMoreThanTenThousandParts() {
        let size: Int64 = 5 << 40  // 5 TiB, S3's object limit
        let plan = S3PartPlan(fileSize: size, preferredPartSize: 5 << 20)
        #expect(plan.count <= 10_000)
        #expect(plan.partSize % (1 << 20) == 0)
        #expect(S3PartPlan(fileSize: 6 << 30, preferredPartSize: 16 << 20).partSize == 16 << 20)
        #expect(S3PartPlan(fileSize: 1 << 20, preferredPartSize: 1).partSize == 5 << 20)
    }
}

@Suite struct S3EndpointTests {
    @Test func awsIsVirtualHostedWithTheRegionInTheHost() throws {
        let endpoint = try S3Endpoint.make(endpointURL: nil, bucket: "my-bucket", region: "eu-central-1", pathStyle: nil)
        #expect(endpoint.host == "my-bucket.s3.eu-central-1.amazonaws.com")
        #expect(endpoint.path(bucket: "my-bucket", key: "a b/c") == "/a b/c")
        #expect(endpoint.path(bucket: "my-bucket", key: nil) == "/")
        let east = try S3Endpoint.make(endpointURL: nil, bucket: "b", region: "us-east-1", pathStyle: nil)
        #expect(east.host == "b.s3.amazonaws.com")
    }

    @Test func bucketsWithDotsUsePathStyleOnAWS() throws {
        let endpoint = try S3Endpoint.make(endpointURL: nil, bucket: "my.bucket", region: "us-west-2", pathStyle: nil)
        #expect(endpoint.host == "s3.us-west-2.amazonaws.com")
        #expect(endpoint.path(bucket: "my.bucket", key: "k") == "/my.bucket/k")
    }

    @Test func customEndpointsArePathStyleByDefault() throws {
        let endpoint = try S3Endpoint.make(endpointURL: "http://127.0.0.1:9000/", bucket: "b", region: "us-east-1", pathStyle: nil)
        #expect(endpoint.hostHeader == "127.0.0.1:9000")
        #expect(endpoint.path(bucket: "b", key: "x/y") == "/b/x/y")
        #expect(endpoint.url(encodedPath: "/b/x%20y", encodedQuery: "uploads=") == "http://127.0.0.1:9000/b/x%20y?uploads=")
        let virtual = try S3Endpoint.make(endpointURL: "https://minio.example:443", bucket: "b", region: "us-east-1", pathStyle: false)
        #expect(virtual.host == "b.minio.example")
        #expect(virtual.hostHeader == "b.minio.example")
    }

    @Test func awsOwnEndpointURLMeansAWS() throws {
        let endpoint = try S3Endpoint.make(endpointURL: "https://s3.amazonaws.com", bucket: "b", region: "eu-west-1", pathStyle: nil)
        #expect(endpoint.isAWS && !endpoint.pathStyle && endpoint.host == "b.s3.eu-west-1.amazonaws.com")
        #expect(S3Endpoint.isAWSEndpoint("https://s3-eu-west-1.amazonaws.com/"))
        #expect(!S3Endpoint.isAWSEndpoint("https://s3.amazonaws.com/prefix"))
        #expect(!S3Endpoint.isAWSEndpoint("http://127.0.0.1:9000"))
    }

    @Test func badEndpointsAreRefusedWithTheirKey() {
        for url in ["minio:9000", "ftp://host", "http://host:99999", "http://"] {
            #expect(throws: StoreError.self) { try S3Endpoint.parse(url) }
        }
    }
}

@Suite struct S3ErrorTests {
    static func error(_ status: Int, _ body: String, headers: [String: String] = [:]) -> S3Error {
        S3Error(response: HTTPResponse(status: status, headers: headers, body: Array(body.utf8)), operation: "upload of k", bucket: "b")
    }

    @Test func authenticationErrorsSayWhatIsWrongAndAreNotRetried() {
        let signature = Self.error(403, """
            <Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message>\
            <AWSAccessKeyId>AKIASECRETID</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256 x</StringToSign>\
            <SignatureProvided>abcdef0123</SignatureProvided></Error>
            """)
        #expect(signature.description.contains("the S3 secret access key is wrong (SignatureDoesNotMatch)"))
        #expect(!signature.description.contains("AKIASECRETID"))
        #expect(!signature.description.contains("abcdef0123"))
        #expect(!signature.isRetryable)
        #expect(Self.error(403, "<Error><Code>RequestTimeTooSkewed</Code></Error>").description.contains("clock"))
        let region = Self.error(400, "<Error><Code>AuthorizationHeaderMalformed</Code><Region>eu-west-1</Region></Error>")
        #expect(region.description.contains("region eu-west-1"))
    }

    @Test func throttlingAndServerErrorsAreRetried() {
        #expect(Self.error(503, "<Error><Code>SlowDown</Code></Error>").isRetryable)
        #expect(Self.error(400, "<Error><Code>RequestTimeout</Code></Error>").isRetryable)
        #expect(Self.error(200, "<Error><Code>InternalError</Code></Error>").isRetryable)
        #expect(Self.error(429, "").isRetryable)
        #expect(Self.error(500, "").isRetryable)
        #expect(!Self.error(404, "<Error><Code>NoSuchBucket</Code></Error>").isRetryable)
    }

    @Test func xmlValuesAreUnescaped() {
        #expect(XMLText.first("UploadId", in: "<a><UploadId>x&amp;y&quot;</UploadId></a>") == "x&y\"")
        #expect(XMLText.first("Missing", in: "<a/>") == nil)
        #expect(XMLText.escape("\"e&t\"") == "&quot;e&amp;t&quot;")
    }
}

@Suite struct S3FailureTests {
    @Test func errorsBecomeStoreErrorsOfTheirKind() {
        func kind(_ status: Int, _ body: String = "") -> StoreError.Kind {
            S3Failure.storeError(S3ErrorTests.error(status, body), redacting: []).kind
        }
        #expect(kind(404) == .notFound)
        #expect(kind(404, "<Error><Code>NoSuchKey</Code></Error>") == .notFound)
        #expect(kind(404, "<Error><Code>NoSuchBucket</Code></Error>") == .notFound)
        #expect(kind(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>") == .unauthorized)
        #expect(kind(403, "<Error><Code>InvalidAccessKeyId</Code></Error>") == .unauthorized)
        #expect(kind(403, "<Error><Code>AccessDenied</Code></Error>") == .unauthorized)
        #expect(kind(403) == .unauthorized)
        #expect(kind(503, "<Error><Code>SlowDown</Code></Error>") == .transient)
        #expect(kind(500) == .transient)
        #expect(kind(400, "<Error><Code>InvalidArgument</Code></Error>") == .permanent)
        #expect(S3Failure.storeError(TransportError(.stalled, "x"), redacting: []).kind == .transient)
        #expect(S3Failure.storeError(TransportError(.tls, "x"), redacting: []).kind == .permanent)
        #expect(S3Failure.storeError(TransportError(.cancelled, "x"), redacting: []).kind == .cancelled)
        #expect(S3Failure.storeError(CancellationError(), redacting: []).kind == .cancelled)
        let kept = S3Failure.storeError(StoreError(.notFound, "gone, key AKIAEXAMPLEID"), redacting: ["AKIAEXAMPLEID"])
        #expect(kept == StoreError(.notFound, "gone, key <redacted>"))
    }

    @Test func textsKeepTheirWording() {
        let error = S3Failure.storeError(S3ErrorTests.error(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>"), redacting: [])
        #expect(error.message == "S3 upload of k in bucket b failed: the S3 secret access key is wrong (SignatureDoesNotMatch)")
    }
}

@Suite struct S3StoreTests {
    static let settings = S3Settings(
        accessKeyID: Secret("AKIAEXAMPLEID"), secretAccessKey: Secret("very/secret+key"),
        bucketName: "b", bucketPath: "/base/", endpointURL: "http://127.0.0.1:1", region: "us-east-1"
    )

    @Test func keysAreBelowTheBucketPathWithNoLeadingSlash() throws {
        let store = try S3Store(settings: Self.settings, window: ConcurrencyWindow(permits: 1))
        #expect(store.objectKey("2025/01/02/a b/c") == "base/2025/01/02/a b/c")
        #expect(store.basePrefix == "base/")
        #expect(store.location(of: "2025/01/02") == "S3 remote path b/base/2025/01/02")
        var root = Self.settings
        root.bucketPath = "/"
        let atRoot = try S3Store(settings: root, window: ConcurrencyWindow(permits: 1))
        #expect(atRoot.objectKey("x/y") == "x/y")
        #expect(atRoot.basePrefix == "")
    }

    @Test func errorsNameNoCredential() throws {
        let store = try S3Store(settings: Self.settings, window: ConcurrencyWindow(permits: 1))
        let error = store.storeError(StoreError(.permanent, "key AKIAEXAMPLEID secret very/secret+key"))
        #expect(error.message == "key <redacted> secret <redacted>")
    }

    @Test func badEndpointIsRefusedWhenTheStoreIsMade() {
        var settings = Self.settings
        settings.endpointURL = "minio:9000"
        #expect(throws: StoreError.self) { try S3Store(settings: settings, window: ConcurrencyWindow(permits: 1)) }
    }

    @Test func unreachableEndpointFailsAfterRetriesAsTransientWithoutSecrets() async throws {
        let store = try S3Store(
            settings: Self.settings, window: ConcurrencyWindow(permits: 1), retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1))
        )
        let observer = TransferObserver(kind: "s3", logger: .init(label: "test"))
        let error = await #expect(throws: StoreError.self) { try await store.prepare(observer: observer) }
        #expect(error?.kind == .transient)
        #expect(error?.message.contains("127.0.0.1:1") == true)
        #expect(error?.message.contains("secret") == false)
        #expect(observer.retries == 1)
        let statError = await #expect(throws: StoreError.self) { try await store.stat("x") }
        #expect(statError?.kind == .transient)
    }

    @Test func factoryGivesTheStoreAndItsConcurrency() throws {
        var settings = Self.settings
        settings.concurrency = 7
        let destination = try DestinationConfiguration(name: "n", kind: .s3(settings)).makeDestination()
        #expect(destination.concurrency == 7)
        #expect(destination.kind == "s3")
        #expect(destination.store is S3Store)
        let unset = try DestinationConfiguration(kind: .s3(Self.settings)).makeDestination()
        #expect(unset.concurrency == S3Settings.defaultConcurrency)
    }
}

@Suite struct S3UploadTests {
    @Test func completionNamesEachPartWithItsChecksum() {
        let parts = [
            S3Upload.Part(number: 1, etag: "\"e1\"", crc32c: CRC32C.checksum(Array("one".utf8))),
            S3Upload.Part(number: 2, etag: "\"e2\"", crc32c: CRC32C.checksum(Array("two".utf8))),
        ]
        let document = S3Upload.completionDocument(parts)
        #expect(document.contains("<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag><ChecksumCRC32C>"
            + Data(CRC32C.checksum(Array("one".utf8))).base64EncodedString() + "</ChecksumCRC32C></Part>"))
        #expect(document.contains("<PartNumber>2</PartNumber>"))
        // CRC-32C of "123456789" is 0xE3069283, the published check value.
        let headers = S3Upload.checksumHeaders(CRC32C.checksum(Array("123456789".utf8)))
        #expect(headers.contains(HTTPHeader("x-amz-checksum-crc32c", "4waSgw==")))
        #expect(headers.contains(HTTPHeader("x-amz-sdk-checksum-algorithm", "CRC32C")))
    }
}

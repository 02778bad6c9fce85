import Foundation
import Manifest
import Signing
import Storage
import Transport

/// An S3 bucket, on AWS or any S3-compatible store, as an `ObjectStore`: keys are relative to `bucket_path`.
/// Signs every request itself (SigV4), discovers the bucket's region when none is configured, creates a
/// missing bucket, and uploads files and parts straight from disk with the content's CRC-32C for the server
/// to check. Each request is retried on its own; requests moving object bytes share the destination's window.
public struct S3Store: ObjectStore {
    public var kind: String { "s3" }

    let settings: S3Settings
    let http: HTTPClient
    let retry: RetryPolicy
    let window: ConcurrencyWindow
    /// The configured region; without one, the bucket's region is discovered once and its client kept.
    let configuredRegion: String?
    /// The configured region's client, made once (not per request).
    private var configuredClient: S3Client?
    private let resolver = S3ClientResolver()
    /// The manifest's keys or the instance profile's, shared by every client of the store.
    let credentials: any S3CredentialProvider

    /// Retries and stalls as `settings.retry` says unless `retry` is given. Throws for a bad `endpoint_url`.
    public init(settings: S3Settings, window: ConcurrencyWindow, retry: RetryPolicy? = nil) throws {
        self.settings = settings
        self.window = window
        self.retry = retry ?? settings.retry.policy
        self.http = HTTPClient(options: HTTPClientOptions(
            caCertPEM: settings.tls.caCert, skipTLSVerification: settings.tls.skipSSLValidation,
            stallTimeout: settings.retry.stallTimeout
        ))
        // Fail on a bad endpoint when the manifest is read, not at the first backup.
        _ = try S3Endpoint.make(endpointURL: settings.endpointURL, bucket: settings.bucketName, region: "us-east-1", pathStyle: settings.pathStyle)
        configuredRegion = settings.region.flatMap { $0.isEmpty ? nil : $0 }
        credentials = settings.credentialProvider(environment: ProcessInfo.processInfo.environment)
        configuredClient = try configuredRegion.map { try makeClient(region: $0) }
    }

    public func location(of folder: String) -> String {
        "S3 remote path \(RemotePath.join(settings.bucketName, settings.bucketPath, folder))"
    }

    public func prepare(observer: TransferObserver) async throws {
        if settings.tls.skipSSLValidation {
            observer.logger.warning("skip_ssl_validation is true: the S3 endpoint's TLS certificate is NOT verified; anyone on the network path can read or alter backups")
        }
        try await mapped {
            try await S3Bucket.ensureExists(using: try await client(observer: observer), observer: observer)
        }
    }

    public func put(_ key: String, from source: FileRange, observer: TransferObserver) async throws -> ContentDigest {
        try await mapped {
            let upload = S3Upload(
                client: try await client(observer: observer), key: objectKey(key), source: try source.opened(),
                partSize: settings.partSize ?? S3Settings.defaultPartSize, objectHeaders: objectHeaders, observer: observer
            )
            let digest = try await upload.run()
            observer.completed(bytes: digest.size)
            return digest
        }
    }

    public func stat(_ key: String) async throws -> ObjectInfo? {
        try await mapped {
            let client = try await client(observer: nil)
            let objectKey = objectKey(key)
            let response = try await client.send(
                .init(name: "check of \(objectKey)", method: "HEAD", key: objectKey, accepted: [404], requiredHeaders: ["content-length"]),
                observer: nil)
            if response.status == 404 { return nil }
            guard let size = response.header("content-length").flatMap({ Int64($0) }) else {
                throw StoreError(.permanent, "S3 check of \(objectKey) in bucket \(settings.bucketName) failed: the answer has no Content-Length")
            }
            return ObjectInfo(key: key, size: size, modified: response.header("last-modified").flatMap(HTTPDate.parse))
        }
    }

    public func list(prefix: String) -> AsyncThrowingStream<ObjectInfo, any Error> {
        .producing { yield in
            try await mapped {
                let base = basePrefix
                try await forEachObjectPage(prefix: base + prefix) { page in
                    for entry in page.entries where entry.key.hasPrefix(base) {
                        yield(ObjectInfo(key: String(entry.key.dropFirst(base.count)), size: entry.size, modified: entry.modified))
                    }
                }
            }
        }
    }

    public func get(_ key: String, to localPath: String, observer: TransferObserver) async throws -> ContentDigest {
        try await mapped {
            let client = try await client(observer: observer)
            let objectKey = objectKey(key)
            let download = try await client.download(
                .init(name: "download of \(objectKey)", method: "GET", key: objectKey, takesPermit: true), to: localPath, observer: observer)
            observer.completed(bytes: download.size)
            return ContentDigest(size: download.size, sha256: download.sha256)
        }
    }

    public func delete(_ keys: [String]) async throws {
        try await mapped {
            guard !keys.isEmpty else { return }
            let client = try await client(observer: nil)
            let objectKeys = keys.map(objectKey)
            for start in stride(from: 0, to: objectKeys.count, by: S3Listing.maxKeysPerDelete) {
                let batch = Array(objectKeys[start..<min(start + S3Listing.maxKeysPerDelete, objectKeys.count)])
                let body = Array(S3Listing.deleteDocument(keys: batch).utf8)
                _ = try await client.send(.init(
                    name: "deletion of \(batch.count) objects under \(basePrefix.isEmpty ? "/" : basePrefix)", method: "POST", key: nil,
                    query: [.init("delete")],
                    headers: [HTTPHeader("Content-Type", "application/xml"),
                              HTTPHeader("Content-MD5", Data(Digest.md5(body)).base64EncodedString())],
                    body: .bytes(body), payloadHash: Digest.hex(Digest.sha256(body)), errorInSuccessBody: true
                ), observer: nil)
            }
        }
    }

    public func removeStaleUploads(olderThan cutoff: Date, observer: TransferObserver) async throws -> Int {
        try await mapped {
            let client = try await client(observer: observer)
            var removed = 0
            try await forEachUploadPage(prefix: basePrefix, observer: observer) { page in
                for upload in page.uploads {
                    guard let initiated = upload.initiated, initiated < cutoff else { continue }
                    _ = try await client.send(.init(
                        name: "abort of stale multipart upload of \(upload.key)", method: "DELETE", key: upload.key,
                        query: [.init("uploadId", upload.uploadID)], accepted: [404]
                    ), observer: observer)
                    removed += 1
                }
            }
            return removed
        }
    }

    // MARK: Keys, clients, errors

    /// `bucket_path` as a key prefix: `base/`, or "" when the objects are at the bucket's root.
    var basePrefix: String { RemotePath.keyPrefix(settings.bucketPath) }

    /// The S3 key of `key`: below `bucket_path`, with no leading slash.
    func objectKey(_ key: String) -> String {
        basePrefix + key.drop { $0 == "/" }
    }

    /// The client for the bucket's region, discovered once (retries told to `observer`) when none is configured.
    func client(observer: TransferObserver?) async throws -> S3Client {
        if let configuredClient { return configuredClient }
        return try await resolver.client {
            let region = try await S3Bucket.discoverRegion(using: try makeClient(region: "us-east-1"), observer: observer)
            return try makeClient(region: region)
        }
    }

    func makeClient(region: String) throws -> S3Client {
        S3Client(
            http: http,
            endpoint: try S3Endpoint.make(endpointURL: settings.endpointURL, bucket: settings.bucketName, region: region, pathStyle: settings.pathStyle),
            bucket: settings.bucketName, region: region, credentials: credentials,
            retry: retry, window: window
        )
    }

    var objectHeaders: [HTTPHeader] {
        var headers: [HTTPHeader] = []
        if let storageClass = settings.storageClass, !storageClass.isEmpty {
            headers.append(HTTPHeader("x-amz-storage-class", storageClass))
        }
        if let encryption = settings.serverSideEncryption, !encryption.isEmpty {
            headers.append(HTTPHeader("x-amz-server-side-encryption", encryption))
            if encryption == "aws:kms", let keyID = settings.kmsKeyID, !keyID.isEmpty {
                headers.append(HTTPHeader("x-amz-server-side-encryption-aws-kms-key-id", keyID))
            }
        }
        return headers
    }

    /// Runs `body` with every error it throws turned into a `StoreError` that names no credential.
    private func mapped<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw storeError(error)
        }
    }

    func storeError(_ error: any Error) -> StoreError {
        S3Failure.storeError(error, redacting: [settings.secretAccessKey.reveal(), settings.accessKeyID.reveal()] + credentials.secrets)
    }
}

import Foundation
import Logging
import Manifest
import Signing
import Transport
import Storage

/// An S3 bucket, on AWS or any S3-compatible store. Signs every request itself (SigV4), discovers the
/// bucket's region when none is configured, creates a missing bucket, and uploads files and parts in
/// parallel straight from disk, with retries, so memory stays bounded whatever the backup's size.
public struct S3Destination: LegacyDestination {
    public static let defaultConcurrency = 4

    public let name: String?
    public var typeName: String { "s3" }
    let settings: S3Settings
    let http: HTTPClient
    let retry: RetryPolicy

    /// Retries and stalls as `settings.retry` says unless `retry` is given.
    public init(name: String?, settings: S3Settings, retry: RetryPolicy? = nil) throws {
        self.name = name
        self.settings = settings
        self.retry = retry ?? settings.retry.policy
        self.http = HTTPClient(options: HTTPClientOptions(
            caCertPEM: settings.tls.caCert, skipTLSVerification: settings.tls.skipSSLValidation,
            stallTimeout: settings.retry.stallTimeout
        ))
        // Fail on a bad endpoint when the manifest is read, not at the first backup.
        _ = try S3Endpoint.make(endpointURL: settings.endpointURL, bucket: settings.bucketName, region: "us-east-1", pathStyle: settings.pathStyle)
    }

    public func upload(_ backup: Backup, logger: Logger) async throws -> UploadSummary {
        do {
            return try await performUpload(backup, logger: logger)
        } catch {
            // The run tells a cancelled upload from a failed one by its task, whatever the error says.
            throw DestinationError(redacted("\(error)"))
        }
    }

    private func performUpload(_ backup: Backup, logger: Logger) async throws -> UploadSummary {
        if settings.tls.skipSSLValidation {
            logger.warning("skip_ssl_validation is true: the S3 endpoint's TLS certificate is NOT verified; anyone on the network path can read or alter backups")
        }
        let retries = RetryCounter(destination: typeName, logger: logger)
        let region: String
        if let configured = settings.region, !configured.isEmpty {
            region = configured
        } else {
            region = try await S3Bucket.discoverRegion(using: client(region: "us-east-1", retries: retries, logger: logger))
        }
        let client = try client(region: region, retries: retries, logger: logger)
        try await S3Bucket.ensureExists(using: client, logger: logger)

        let remotePath = RemotePath.join(settings.bucketName, settings.bucketPath, backup.remoteFolder)
        logger.info("about to upload \(backup.sourceFolder) to S3 remote path \(remotePath)")
        let concurrency = max(1, settings.concurrency ?? Self.defaultConcurrency)
        let uploader = S3ObjectUploader(
            client: client, limiter: ConcurrencyWindow(permits: concurrency),
            partSize: settings.partSize ?? S3PartPlan.defaultPartSize, concurrency: concurrency, objectHeaders: objectHeaders
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = backup.files[...]
            func addFile() {
                let file = pending.removeFirst()
                let key = objectKey(backup.remotePath(of: file, under: settings.bucketPath))
                group.addTask { try await uploader.upload(file, key: key) }
            }
            for _ in 0..<min(concurrency, pending.count) { addFile() }
            while try await group.next() != nil {
                if !pending.isEmpty { addFile() }
            }
        }
        return UploadSummary(
            files: backup.files.count, bytes: backup.totalBytes,
            retries: retries.value
        )
    }

    func client(region: String, retries: RetryCounter, logger: Logger) throws -> S3Client {
        S3Client(
            http: http,
            endpoint: try S3Endpoint.make(endpointURL: settings.endpointURL, bucket: settings.bucketName, region: region, pathStyle: settings.pathStyle),
            bucket: settings.bucketName,
            signer: SigV4Signer(
                credentials: SigV4Credentials(accessKeyID: settings.accessKeyID.reveal(), secretAccessKey: settings.secretAccessKey.reveal()),
                region: region
            ),
            retry: retry, retries: retries, logger: logger
        )
    }

    /// S3 keys have no leading slash.
    func objectKey(_ path: String) -> String {
        String(path.drop { $0 == "/" })
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

    /// A last guard: no credential text in an error shown to operators.
    func redacted(_ text: String) -> String {
        var text = text
        for secret in [settings.secretAccessKey.reveal(), settings.accessKeyID.reveal()] where secret.count >= 4 {
            text = text.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return text
    }
}

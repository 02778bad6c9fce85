import Foundation
import Manifest
import Storage
import Transport

/// Google Cloud Storage over its JSON API, authorized as a service account (OAuth 2.0, `GCSTokenSource`).
///
/// Settings (`config` of a destination of type `gcs`, the original's keys):
/// - `service_account_json` (required): the service account's key file, as text.
/// - `project_id` (required): the project a missing bucket is created in.
/// - `bucket_name` (required): the bucket; objects go to its root (`[deployment_name/]YYYY/MM/DD/…`).
/// - `endpoint`: the API's base URL (`GCSSettings.defaultEndpoint`).
/// - `chunk_size`: bytes per request of a resumable upload, a multiple of 256 KiB; `concurrency`: files at once.
/// - `retry_attempts`, `retry_timeout`, `stall_timeout`: see ``RetrySettings``; each request is retried alone,
///   and an upload goes on from the bytes the server has after a failed request.
///
/// An upload session left by an interrupted run is never visible and expires within a week on its own, so
/// there is nothing stale to remove.
public struct GCSStore: ObjectStore {
    public var kind: String { "gcs" }

    let bucket: String
    let chunkSize: Int64
    let client: GCSClient

    /// Retries and stalls as `settings.retry` says unless `retry` is given. `window` is the destination's.
    public init(settings: GCSSettings, window: ConcurrencyWindow, retry: RetryPolicy? = nil) throws {
        guard Self.isBucketName(settings.bucketName) else {
            throw StoreError(.permanent, "gcs: bucket_name \(settings.bucketName) is not a valid bucket name "
                + "(3 to 63 lowercase letters, digits, dashes, underscores and dots, starting and ending with a letter or digit)")
        }
        let projectID = settings.projectID.trimmingCharacters(in: .whitespaces)
        guard !projectID.isEmpty else { throw StoreError(.permanent, "gcs: project_id is empty") }
        let chunkSize = settings.chunkSize ?? GCSSettings.defaultChunkSize
        guard chunkSize % GCSSettings.chunkGranularity == 0 else {
            throw StoreError(.permanent, "gcs: chunk_size \(chunkSize) must be a multiple of 256KiB (262144)")
        }
        let account = try GCSServiceAccount(json: settings.serviceAccountJSON)
        let retry = retry ?? settings.retry.policy
        let http = HTTPClient(options: HTTPClientOptions(stallTimeout: settings.retry.stallTimeout))
        self.bucket = settings.bucketName
        self.chunkSize = chunkSize
        self.client = GCSClient(
            endpoint: GCSEndpoint(base: settings.endpoint ?? GCSSettings.defaultEndpoint, bucket: settings.bucketName),
            project: projectID, http: http, retry: retry,
            tokens: GCSTokenSource(account: account, http: http, retry: retry), window: window)
    }

    public func location(of folder: String) -> String { "GCS remote path \(RemotePath.join(bucket, folder))" }

    /// Gets the bucket; creates it in the project when it is missing.
    public func prepare(observer: TransferObserver) async throws {
        try await mapped {
            if try await !client.bucketExists(observer: observer) { try await client.createBucket(observer: observer) }
        }
    }

    public func put(_ key: String, from source: FileRange, observer: TransferObserver) async throws -> ContentDigest {
        let upload = GCSResumableUpload(client: client, chunkSize: chunkSize)
        return try await mapped { try await upload.put(key, from: source, observer: observer) }
    }

    public func stat(_ key: String) async throws -> ObjectInfo? {
        try await mapped { try await client.object(key).map { $0.info(key: key) } }
    }

    public func list(prefix: String) -> AsyncThrowingStream<ObjectInfo, any Error> {
        let client = client
        return .producing { yield in
            try await mapped {
                var token: String?
                repeat {
                    let page = try await client.list(prefix: prefix, pageToken: token)
                    for object in page.items ?? [] { yield(object.info(key: object.name)) }
                    token = page.nextPageToken.flatMap { $0.isEmpty ? nil : $0 }
                } while token != nil
            }
        }
    }

    public func get(_ key: String, to localPath: String, observer: TransferObserver) async throws -> ContentDigest {
        try await mapped {
            let download = try await client.download(key, to: localPath, observer: observer)
            observer.completed(bytes: download.size)
            return ContentDigest(size: download.size, sha256: download.sha256)
        }
    }

    public func delete(_ keys: [String]) async throws {
        let client = client
        let width = await client.window.capacity
        try await mapped { _ = try await concurrentMap(keys, width: width) { try await client.delete($0) } }
    }

    /// Unfinished sessions are invisible and expire by themselves: nothing to list or remove.
    public func removeStaleUploads(olderThan cutoff: Date, observer: TransferObserver) async throws -> Int { 0 }

    public func validationNotes() async -> [String] {
        ["gcs: uploads as service account \(client.account) to bucket \(bucket) (project \(client.project))"]
    }

    /// Runs `work`, its failures thrown as `StoreError`s.
    private func mapped<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch {
            throw StoreError.gcs(error)
        }
    }

    /// Cloud Storage's rule for names without dots' extra limits: 3 to 63 of `a-z 0-9 - _ .`, starting and
    /// ending with a letter or digit (dotted names may be up to 222 characters).
    static func isBucketName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        let alphanumeric: (UInt8) -> Bool = { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) }
        let allowed = bytes.allSatisfy { alphanumeric($0) || $0 == 0x2d || $0 == 0x5f || $0 == 0x2e }
        let limit = name.contains(".") ? 222 : 63
        guard let first = bytes.first, let last = bytes.last else { return false }
        return (3...limit).contains(bytes.count) && allowed && alphanumeric(first) && alphanumeric(last)
    }
}

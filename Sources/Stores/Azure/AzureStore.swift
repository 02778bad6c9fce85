import Foundation
import Manifest
import Signing
import Storage
import Transport

/// Azure Blob storage, authorized with the account's SharedKey or a shared access signature.
///
/// Settings (`config` of a destination of type `azure`):
/// - `storage_account` (required): the storage account name.
/// - `storage_access_key` (required unless `sas_token` is given): the account key, base64, as the portal shows it.
/// - `sas_token`: a shared access signature used instead of the key, appended to every request's query.
/// - `container` (required): the container; created when missing.
/// - `path` (required): the folder inside the container every key is relative to.
/// - `endpoint`: a storage domain suffix or a full URL of the blob service (`AzureSettings.blobServiceURL()`).
/// - `block_size`: bytes per block for files larger than one block; grows by itself so that no blob needs
///   more than 50,000 blocks. `concurrency`: the width of the window every request with blob bytes takes
///   a permit of. Defaults and ranges: `AzureSettings`.
/// - `access_tier`: `Hot`, `Cool`, `Cold` or `Archive`, set on each blob; the account's default otherwise.
/// - `retry_attempts`, `retry_timeout`, `stall_timeout`: see ``RetrySettings``; each request is retried alone.
/// - `ca_cert`: PEM text of extra CA certificates to trust; `skip_ssl_validation`: do not check certificates.
///
/// Blocks left uncommitted by an interrupted upload are never visible and the service discards them
/// within a week, so there is nothing stale to remove.
public struct AzureStore: ObjectStore {
    public var kind: String { "azure" }

    let container: String
    let path: String
    /// `path` without surrounding slashes, then `/` (empty for the container's root): what every blob name starts with.
    let base: String
    let blockSize: Int64
    let accessTier: String?
    let http: HTTPClient
    let retry: RetryPolicy
    let client: AzureBlobClient

    /// Retries and stalls as `settings.retry` says unless `retry` is given. `window` is the destination's.
    public init(settings: AzureSettings, window: ConcurrencyWindow, retry: RetryPolicy? = nil) throws {
        let account = settings.storageAccount.trimmingCharacters(in: .whitespaces)
        guard !account.isEmpty, account.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw StoreError(.permanent, "azure: storage_account \(settings.storageAccount) is not a storage account name")
        }
        guard Self.isContainerName(settings.container) else {
            throw StoreError(.permanent, "azure: container \(settings.container) is not a valid container name "
                + "(3 to 63 lowercase letters, digits and single hyphens, starting with a letter or digit)")
        }
        let authorization: AzureAuthorization
        if let sas = settings.sasToken, !sas.isEmpty {
            authorization = .sas(sas.reveal())
        } else {
            do {
                authorization = .sharedKey(try SharedKeySigner(account: account, base64Key: settings.storageAccessKey.reveal()))
            } catch {
                throw StoreError(.permanent, "azure: storage_access_key is not valid base64")
            }
        }
        let blockSize = settings.blockSize ?? AzureSettings.defaultBlockSize
        let range = AzureSettings.blockSizeRange
        guard range.contains(blockSize) else {
            throw StoreError(.permanent, "azure: block_size \(blockSize) must be between \(ByteSize.format(range.lowerBound)) "
                + "(\(range.lowerBound)) and \(ByteSize.format(range.upperBound)) (\(range.upperBound))")
        }
        if let tier = settings.accessTier {
            guard let known = AzureSettings.accessTiers.first(where: { $0.lowercased() == tier.lowercased() }) else {
                let names = AzureSettings.accessTiers
                throw StoreError(.permanent, "azure: access_tier \(tier) must be \(names.dropLast().joined(separator: ", ")) or \(names.last ?? "")")
            }
            accessTier = known
        } else {
            accessTier = nil
        }
        let serviceURL: String
        do {
            serviceURL = try settings.blobServiceURL()
        } catch {
            throw StoreError(.permanent, "azure: \(error)")
        }
        self.container = settings.container
        self.path = settings.path
        self.base = RemotePath.keyPrefix(settings.path)
        self.blockSize = blockSize
        self.http = HTTPClient(options: HTTPClientOptions(
            caCertPEM: settings.tls.caCert, skipTLSVerification: settings.tls.skipSSLValidation,
            stallTimeout: settings.retry.stallTimeout))
        self.retry = retry ?? settings.retry.policy
        self.client = AzureBlobClient(
            endpoint: AzureEndpoint(base: serviceURL), container: settings.container, authorization: authorization, http: http,
            retry: self.retry, window: window)
    }

    public func location(of folder: String) -> String { "Azure remote path \(RemotePath.join(path, folder))" }

    /// The blob name of `key`.
    func blob(_ key: String) -> String { base + key }

    public func prepare(observer: TransferObserver) async throws {
        try await mapped { try await client.createContainer(observer: observer) }
    }

    public func put(_ key: String, from source: FileRange, observer: TransferObserver) async throws -> ContentDigest {
        let upload = AzureBlobUpload(client: client, preferredBlockSize: blockSize, accessTier: accessTier)
        return try await mapped { try await upload.put(blob(key), from: source, observer: observer) }
    }

    public func stat(_ key: String) async throws -> ObjectInfo? {
        try await mapped {
            try await client.properties(blob(key)).map { ObjectInfo(key: key, size: $0.length, modified: $0.modified) }
        }
    }

    public func list(prefix: String) -> AsyncThrowingStream<ObjectInfo, any Error> {
        let (client, base) = (client, base)
        return .producing { yield in
            try await mapped {
                var marker: String?
                repeat {
                    let page = try await client.listBlobs(prefix: base + prefix, marker: marker)
                    for entry in page.blobs where entry.name.hasPrefix(base) {
                        yield(ObjectInfo(key: String(entry.name.dropFirst(base.count)), size: entry.size, modified: entry.modified))
                    }
                    marker = page.nextMarker
                } while marker != nil
            }
        }
    }

    public func get(_ key: String, to localPath: String, observer: TransferObserver) async throws -> ContentDigest {
        try await mapped {
            let download = try await client.getBlob(blob(key), to: localPath, observer: observer)
            observer.completed(bytes: download.size)
            return ContentDigest(size: download.size, sha256: download.sha256)
        }
    }

    public func delete(_ keys: [String]) async throws {
        let client = client
        let names = keys.map(blob)
        let width = await client.window.capacity
        try await mapped { _ = try await concurrentMap(names, width: width) { try await client.deleteBlob($0) } }
    }

    /// Uncommitted blocks are invisible and garbage-collected by the service: nothing to list or remove.
    public func removeStaleUploads(olderThan cutoff: Date, observer: TransferObserver) async throws -> Int { 0 }

    /// Runs `work`, its failures thrown as `StoreError`s that show no part of a shared access signature.
    private func mapped<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch {
            var failure = StoreError.azure(error)
            failure.message = client.authorization.redacted(failure.message)
            throw failure
        }
    }

    /// Azure's rule: 3 to 63 of `a-z`, `0-9` and `-`, starting with a letter or digit, no `--`, not ending in `-`;
    /// or `$root`.
    static func isContainerName(_ name: String) -> Bool {
        if name == "$root" { return true }
        let allowed = name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d }
        return (3...63).contains(name.count) && allowed && !name.hasPrefix("-") && !name.hasSuffix("-") && !name.contains("--")
    }
}

import Logging
import Manifest
import Signing
import Transport
import Storage

/// Azure Blob storage, authorized with the account's SharedKey.
///
/// Settings (`config` of a destination of type `azure`):
/// - `storage_account` (required): the storage account name.
/// - `storage_access_key` (required): the account key, base64, as the portal shows it.
/// - `container` (required): the container; created when missing.
/// - `path` (required): the folder inside the container; blobs go to
///   `<path>/[<deployment_name>/]YYYY/MM/DD/<relative path>`.
/// - `endpoint`: a storage domain suffix (default `core.windows.net`; `core.chinacloudapi.cn`,
///   `core.usgovcloudapi.net`, an Azure Stack domain) giving `https://<account>.blob.<suffix>`, or a full
///   URL of the blob service used as given (`http://127.0.0.1:10000/devstoreaccount1`).
/// - `block_size`: bytes per block for files larger than one block (default 8 MiB, 1 MiB to 4000 MiB);
///   grows by itself so that no blob needs more than 50,000 blocks.
/// - `concurrency`: requests in flight at once, blocks and small files together (default 4, 1 to 64).
/// - `access_tier`: `Hot`, `Cool`, `Cold` or `Archive`, set on each blob; the account's default otherwise.
/// - `retry_attempts`, `retry_timeout`, `stall_timeout`: see ``RetrySettings``.
/// - `ca_cert`: PEM text of extra CA certificates to trust; `skip_ssl_validation`: do not check certificates.
///
/// Files up to one block go up as one Put Blob; larger files as Put Blocks (several in flight, each with
/// its Content-MD5, read straight from the file) then one Put Block List, so a blob appears only whole.
/// Each blob's length is checked with Get Blob Properties before the upload counts as done.
public struct AzureDestination: LegacyDestination {
    public static let defaultBlockSize: Int64 = 8 << 20
    public static let defaultConcurrency = 4

    public let name: String?
    public var typeName: String { "azure" }

    let container: String
    let path: String
    let blockSize: Int64
    let concurrency: Int
    let accessTier: String?
    let endpoint: AzureEndpoint
    let signer: SharedKeySigner
    let http: HTTPClient
    let retry: RetryPolicy

    /// Retries and stalls as `settings.retry` says unless `retry` is given.
    public init(name: String?, settings: AzureSettings, retry: RetryPolicy? = nil) throws {
        let account = settings.storageAccount.trimmingCharacters(in: .whitespaces)
        guard !account.isEmpty, account.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw DestinationError("azure: storage_account \(settings.storageAccount) is not a storage account name")
        }
        guard Self.isContainerName(settings.container) else {
            throw DestinationError("azure: container \(settings.container) is not a valid container name "
                + "(3 to 63 lowercase letters, digits and single hyphens, starting with a letter or digit)")
        }
        do {
            signer = try SharedKeySigner(account: account, base64Key: settings.storageAccessKey.reveal())
        } catch {
            throw DestinationError("azure: storage_access_key is not valid base64")
        }
        let blockSize = settings.blockSize ?? Self.defaultBlockSize
        guard (BlockLayout.mebibyte...BlockLayout.maxBlockSize).contains(blockSize) else {
            throw DestinationError("azure: block_size \(blockSize) must be between 1 MiB (1048576) and 4000 MiB (4194304000)")
        }
        let concurrency = settings.concurrency ?? Self.defaultConcurrency
        guard (1...64).contains(concurrency) else {
            throw DestinationError("azure: concurrency \(concurrency) must be between 1 and 64")
        }
        if let tier = settings.accessTier {
            guard let known = ["Hot", "Cool", "Cold", "Archive"].first(where: { $0.lowercased() == tier.lowercased() }) else {
                throw DestinationError("azure: access_tier \(tier) must be Hot, Cool, Cold or Archive")
            }
            accessTier = known
        } else {
            accessTier = nil
        }
        self.name = name
        self.container = settings.container
        self.path = settings.path
        self.blockSize = blockSize
        self.concurrency = concurrency
        self.endpoint = try AzureEndpoint(account: account, endpoint: settings.endpoint)
        self.http = HTTPClient(options: HTTPClientOptions(
            caCertPEM: settings.tls.caCert, skipTLSVerification: settings.tls.skipSSLValidation,
            stallTimeout: settings.retry.stallTimeout))
        self.retry = retry ?? settings.retry.policy
    }

    public func upload(_ backup: Backup, logger: Logger) async throws -> UploadSummary {
        let remotePath = RemotePath.join(path, backup.remoteFolder)
        logger.info("Uploading azure blobs", metadata: [
            "container": .string(container), "localPath": .string(backup.sourceFolder), "remotePath": .string(remotePath),
        ])
        logger.info("The container and remote path will be created if they don't already exist", metadata: [
            "container": .string(container), "remotePath": .string(remotePath),
        ])
        logger.info("about to upload \(backup.sourceFolder) to Azure remote path \(remotePath)")
        let retries = RetryCounter(destination: typeName, logger: logger)
        let client = AzureBlobClient(
            endpoint: endpoint, container: container, signer: signer, http: http, retry: retry, retries: retries)
        let upload = AzureUpload(
            client: client, preferredBlockSize: blockSize, concurrency: concurrency, accessTier: accessTier, logger: logger)
        let plans = try upload.plans(for: backup, under: path)

        try await client.createContainer()
        try await upload.run(plans)

        return UploadSummary(files: backup.files.count, bytes: backup.totalBytes, retries: retries.value)
    }

    /// Azure's rule: 3 to 63 of `a-z`, `0-9` and `-`, starting with a letter or digit, no `--`, not ending in `-`;
    /// or `$root`.
    static func isContainerName(_ name: String) -> Bool {
        if name == "$root" { return true }
        let allowed = name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d }
        return (3...63).contains(name.count) && allowed && !name.hasPrefix("-") && !name.hasSuffix("-") && !name.contains("--")
    }
}

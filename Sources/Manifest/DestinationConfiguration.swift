/// One entry of `destinations`: an optional name and the settings of its type.
public struct DestinationConfiguration: Sendable, Equatable {
    public var name: String?
    public var kind: Kind
    /// The entry's `retention`; nil: no run is ever deleted.
    public var retention: RetentionSettings?
    /// `bandwidth_limit`: bytes per second over all of this destination's connections; nil when unlimited.
    public var bandwidthLimit: Int64?

    public enum Kind: Sendable, Equatable {
        case s3(S3Settings)
        case azure(AzureSettings)
        case scp(SCPSettings)
        case local(LocalSettings)
        case gcs(GCSSettings)
    }

    public init(name: String? = nil, kind: Kind, retention: RetentionSettings? = nil) {
        self.name = name
        self.kind = kind
        self.retention = retention
    }

    /// The type name as the manifest spells it: `s3`, `azure`, `scp`, `local`.
    public var typeName: String {
        switch kind {
        case .s3: "s3"
        case .azure: "azure"
        case .scp: "scp"
        case .local: "local"
        case .gcs: "gcs"
        }
    }
}

/// TLS settings shared by the HTTP destinations.
public struct TLSSettings: Sendable, Equatable {
    /// PEM text of extra CA certificates, trusted on top of the system bundle.
    public var caCert: String?
    public var skipSSLValidation: Bool

    public init(caCert: String? = nil, skipSSLValidation: Bool = false) {
        self.caCert = caCert
        self.skipSSLValidation = skipSSLValidation
    }
}

/// How a remote destination retries a failed request or file, and when it gives up on a transfer that
/// moves no byte. Shared by the s3, azure and scp settings; every value is already checked and defaulted.
public struct RetrySettings: Sendable, Equatable {
    public static let defaultAttempts = 5
    public static let attemptsRange = 1...20
    public static let defaultTimeoutSeconds = 300
    /// HTTP transfers (s3, azure): libcurl sees every byte, so a minute without one is a stall.
    public static let defaultHTTPStallSeconds = 60
    /// SSH (scp): one blocking libssh2 call (handshake, SFTP write, rename) must finish within it.
    public static let defaultSSHStallSeconds = 120
    /// The largest `retry_timeout` and `stall_timeout` accepted: one day.
    public static let maximumSeconds: Double = 86_400

    /// Attempts per request or file, the first included.
    public var attempts: Int
    /// Seconds, from a request's or file's first failure, after which no further attempt starts.
    public var timeoutSeconds: Double
    /// Seconds without progress after which a transfer is abandoned (and may be tried again).
    public var stallSeconds: Double

    public init(
        attempts: Int = defaultAttempts, timeoutSeconds: Double = Double(defaultTimeoutSeconds),
        stallSeconds: Double = Double(defaultHTTPStallSeconds)
    ) {
        self.attempts = attempts
        self.timeoutSeconds = timeoutSeconds
        self.stallSeconds = stallSeconds
    }

    /// The defaults of the HTTP destinations (s3, azure).
    public static let http = RetrySettings()
    /// The defaults of the scp destination.
    public static let ssh = RetrySettings(stallSeconds: Double(defaultSSHStallSeconds))
}

public struct S3Settings: Sendable, Equatable {
    /// Multipart part size when `part_size` is unset, and the sizes it may take (S3's own limits).
    public static let defaultPartSize: Int64 = 16 << 20
    public static let partSizeRange: ClosedRange<Int64> = (5 << 20)...(5 << 30)
    /// Requests moving object bytes at once when `concurrency` is unset, and the values it may take.
    public static let defaultConcurrency = 4
    public static let concurrencyRange = 1...64

    public var accessKeyID: Secret
    public var secretAccessKey: Secret
    public var bucketName: String
    public var bucketPath: String
    public var endpointURL: String?
    public var region: String?
    public var tls: TLSSettings
    /// Path-style addressing; nil means "true when endpointURL is set".
    public var pathStyle: Bool?
    public var partSize: Int64?
    public var concurrency: Int?
    public var serverSideEncryption: String?
    public var kmsKeyID: String?
    public var storageClass: String?
    public var retry: RetrySettings
    /// The token of temporary keys (`session_token`), sent with every request.
    public var sessionToken: Secret?
    /// Where the keys come from: the manifest, or the EC2 instance profile.
    public var credentialsSource: S3CredentialsSource = .static

    public init(
        accessKeyID: Secret, secretAccessKey: Secret, bucketName: String, bucketPath: String,
        endpointURL: String? = nil, region: String? = nil, tls: TLSSettings = TLSSettings(),
        pathStyle: Bool? = nil, partSize: Int64? = nil, concurrency: Int? = nil,
        serverSideEncryption: String? = nil, kmsKeyID: String? = nil, storageClass: String? = nil,
        retry: RetrySettings = .http
    ) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.bucketName = bucketName
        self.bucketPath = bucketPath
        self.endpointURL = endpointURL
        self.region = region
        self.tls = tls
        self.pathStyle = pathStyle
        self.partSize = partSize
        self.concurrency = concurrency
        self.serverSideEncryption = serverSideEncryption
        self.kmsKeyID = kmsKeyID
        self.storageClass = storageClass
        self.retry = retry
    }
}

public struct AzureSettings: Sendable, Equatable {
    /// `block_size` when unset, and the sizes a block may have.
    public static let defaultBlockSize: Int64 = 8 << 20
    public static let blockSizeRange: ClosedRange<Int64> = (1 << 20)...(4000 << 20)
    /// The most blocks a block blob may have: the block size grows so that no file needs more.
    public static let maximumBlocks: Int64 = 50_000
    /// `concurrency` when unset, and its range: requests in flight at once, blocks and small files together.
    public static let defaultConcurrency = 4
    public static let concurrencyRange = 1...64
    /// The values of `access_tier`, as the service spells them.
    public static let accessTiers = ["Hot", "Cool", "Cold", "Archive"]
    /// `endpoint` when unset: the storage domain suffix of Azure's public cloud.
    public static let defaultEndpointSuffix = "core.windows.net"

    public var storageAccount: String
    public var storageAccessKey: Secret
    public var container: String
    public var path: String
    /// A storage domain suffix (`core.windows.net`) or a full blob-service URL.
    public var endpoint: String?
    public var tls: TLSSettings
    public var blockSize: Int64?
    public var concurrency: Int?
    public var accessTier: String?
    public var retry: RetrySettings
    /// A shared access signature (`sas_token`, without its leading `?`) used instead of `storageAccessKey`.
    public var sasToken: Secret?

    public init(
        storageAccount: String, storageAccessKey: Secret, container: String, path: String,
        endpoint: String? = nil, tls: TLSSettings = TLSSettings(), blockSize: Int64? = nil,
        concurrency: Int? = nil, accessTier: String? = nil, retry: RetrySettings = .http
    ) {
        self.storageAccount = storageAccount
        self.storageAccessKey = storageAccessKey
        self.container = container
        self.path = path
        self.endpoint = endpoint
        self.tls = tls
        self.blockSize = blockSize
        self.concurrency = concurrency
        self.accessTier = accessTier
        self.retry = retry
    }
}

public struct SCPSettings: Sendable, Equatable {
    /// Files copied at once when `concurrency` is unset.
    public static let defaultConcurrency = 4
    /// Each connection is an SSH session of its own: servers limit unauthenticated and total sessions (MaxStartups).
    public static let concurrencyRange = 1...16

    public var server: String
    public var user: String
    public var destination: String
    public var key: Secret
    public var port: Int
    /// known_hosts lines, `SHA256:<base64>` or an MD5 `aa:bb:…` fingerprint; nil or empty: not pinned.
    public var fingerprint: String?
    public var connectTimeout: Double?
    public var concurrency: Int?
    public var retry: RetrySettings

    public init(
        server: String, user: String, destination: String, key: Secret, port: Int = 22,
        fingerprint: String? = nil, connectTimeout: Double? = nil, concurrency: Int? = nil,
        retry: RetrySettings = .ssh
    ) {
        self.server = server
        self.user = user
        self.destination = destination
        self.key = key
        self.port = port
        self.fingerprint = fingerprint
        self.connectTimeout = connectTimeout
        self.concurrency = concurrency
        self.retry = retry
    }
}

public struct LocalSettings: Sendable, Equatable {
    public var path: String

    public init(path: String) { self.path = path }
}

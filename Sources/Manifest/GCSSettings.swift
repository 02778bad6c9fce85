/// A `gcs` destination: Google Cloud Storage's JSON API, authorized as a service account.
public struct GCSSettings: Sendable, Equatable {
    /// `endpoint` when unset: the base URL the store adds `/storage/v1/…` and `/upload/storage/v1/…` to.
    public static let defaultEndpoint = "https://storage.googleapis.com"
    /// Resumable uploads move chunks of a multiple of this many bytes (all but the last).
    public static let chunkGranularity: Int64 = 256 << 10
    /// `chunk_size` when unset, and the sizes it may take.
    public static let defaultChunkSize: Int64 = 16 << 20
    public static let chunkSizeRange: ClosedRange<Int64> = chunkGranularity...(1 << 30)
    /// Files uploaded at once when `concurrency` is unset, and the values it may take.
    public static let defaultConcurrency = 4
    public static let concurrencyRange = 1...64

    /// The service account key file's JSON text, as the cloud console downloads it.
    public var serviceAccountJSON: Secret
    public var projectID: String
    public var bucketName: String
    public var endpoint: String?
    public var chunkSize: Int64?
    public var concurrency: Int?
    public var retry: RetrySettings

    public init(
        serviceAccountJSON: Secret, projectID: String, bucketName: String, endpoint: String? = nil,
        chunkSize: Int64? = nil, concurrency: Int? = nil, retry: RetrySettings = .http
    ) {
        self.serviceAccountJSON = serviceAccountJSON
        self.projectID = projectID
        self.bucketName = bucketName
        self.endpoint = endpoint
        self.chunkSize = chunkSize
        self.concurrency = concurrency
        self.retry = retry
    }
}

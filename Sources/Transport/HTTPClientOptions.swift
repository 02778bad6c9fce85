public struct HTTPClientOptions: Sendable {
    /// PEM text of extra CA certificates, trusted on top of the system bundle.
    public var caCertPEM: String?
    public var skipTLSVerification: Bool
    public var connectTimeout: Duration
    /// A transfer that moves no byte for this long, or fewer than `minimumSpeed` bytes a second on average over
    /// this long, is aborted (and may be retried).
    public var stallTimeout: Duration

    /// Bytes a second below which a transfer counts as stalled (over `stallTimeout`).
    public static let minimumSpeed = 1024

    public init(
        caCertPEM: String? = nil, skipTLSVerification: Bool = false,
        connectTimeout: Duration = .seconds(30), stallTimeout: Duration = .seconds(60)
    ) {
        self.caCertPEM = caCertPEM
        self.skipTLSVerification = skipTLSVerification
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
    }
}

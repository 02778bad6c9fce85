/// The validated settings of one daemon: what the manifest's `service-backup` block says.
public struct BackupConfiguration: Sendable, Equatable {
    public var destinations: [DestinationConfiguration]
    public var sourceFolder: String
    public var sourceExecutable: String?
    public var cronSchedule: String
    public var cleanupExecutable: String?
    public var serviceIdentifierExecutable: String?
    public var exitIfInProgress: Bool
    public var missingPropertiesMessage: String
    public var deploymentName: String?
    public var addDeploymentNameToBackupPath: Bool
    /// Seconds a child process gets between SIGTERM and SIGKILL when the daemon stops.
    public var shutdownGracePeriod: Double
    public var alerts: Alerts?
    /// Each run's files go under `<day folder>/<run id>/` instead of the day folder itself.
    public var runFolders: Bool = false
    /// Seconds after which what an interrupted run left on a destination (multipart uploads, temporary files) is removed.
    public var staleUploadAge: Double = BackupConfiguration.defaultStaleUploadAge
    /// Where the run's status and metrics go (`state_dir`, `metrics_file`).
    public var status = StatusSettings()
    /// `logging.format.timestamp`: `rfc3339` or `unix-epoch`; nil when the manifest leaves it to the command.
    public var logTimestampFormat: String?
    /// The alert hooks of the `alerts` block (webhook, executable, heartbeat) and the events they fire on.
    public var alertHooks = AlertHooks()
    /// `nice`, `ionice` and `splay_seconds`.
    public var politeness = Politeness()

    public static let defaultStaleUploadAge: Double = 86_400
    public static let defaultMissingPropertiesMessage = "Provide these missing fields in your manifest."
    public static let defaultShutdownGracePeriod: Double = 30

    public init(
        destinations: [DestinationConfiguration] = [],
        sourceFolder: String = "",
        sourceExecutable: String? = nil,
        cronSchedule: String = "",
        cleanupExecutable: String? = nil,
        serviceIdentifierExecutable: String? = nil,
        exitIfInProgress: Bool = false,
        missingPropertiesMessage: String = BackupConfiguration.defaultMissingPropertiesMessage,
        deploymentName: String? = nil,
        addDeploymentNameToBackupPath: Bool = false,
        shutdownGracePeriod: Double = BackupConfiguration.defaultShutdownGracePeriod,
        alerts: Alerts? = nil
    ) {
        self.destinations = destinations
        self.sourceFolder = sourceFolder
        self.sourceExecutable = sourceExecutable
        self.cronSchedule = cronSchedule
        self.cleanupExecutable = cleanupExecutable
        self.serviceIdentifierExecutable = serviceIdentifierExecutable
        self.exitIfInProgress = exitIfInProgress
        self.missingPropertiesMessage = missingPropertiesMessage
        self.deploymentName = deploymentName
        self.addDeploymentNameToBackupPath = addDeploymentNameToBackupPath
        self.shutdownGracePeriod = shutdownGracePeriod
        self.alerts = alerts
    }
}

/// The original's `alerts` block, kept so manifests that carry it stay valid.
public struct Alerts: Sendable, Equatable {
    public var productName: String
    /// Not a key of the original's manifests; the notifications service is named by ``notificationsServiceURL``.
    public var notificationsServiceName: String?
    public var cfURL: String?
    public var cfUser: String?
    public var cfPassword: Secret?
    public var skipSSLValidation: Bool
    public var timeoutSeconds: Int?
    public var notificationsServiceURL: String?
    public var cfOrg: String?
    public var cfSpace: String?
    public var replyTo: String?
    public var clientID: String?
    public var clientSecret: Secret?

    public init(
        productName: String, notificationsServiceName: String? = nil, cfURL: String? = nil,
        cfUser: String? = nil, cfPassword: Secret? = nil, skipSSLValidation: Bool = false, timeoutSeconds: Int? = nil,
        notificationsServiceURL: String? = nil, cfOrg: String? = nil, cfSpace: String? = nil, replyTo: String? = nil,
        clientID: String? = nil, clientSecret: Secret? = nil
    ) {
        self.productName = productName
        self.notificationsServiceName = notificationsServiceName
        self.cfURL = cfURL
        self.cfUser = cfUser
        self.cfPassword = cfPassword
        self.skipSSLValidation = skipSSLValidation
        self.timeoutSeconds = timeoutSeconds
        self.notificationsServiceURL = notificationsServiceURL
        self.cfOrg = cfOrg
        self.cfSpace = cfSpace
        self.replyTo = replyTo
        self.clientID = clientID
        self.clientSecret = clientSecret
    }
}

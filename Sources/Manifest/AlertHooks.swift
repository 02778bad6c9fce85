/// What an alert is about. `alerts.on` lists the events that send alerts.
public enum AlertEvent: String, Sendable, Equatable, Hashable, CaseIterable {
    /// A scheduled run failed, or was refused because the previous one was still running.
    case failure
    /// A scheduled run put the backup on every destination.
    case success
    /// A scheduled fire time passed with no run.
    case missed
}

/// One header a webhook POST carries; its value is a credential.
public struct AlertHeader: Sendable, Equatable {
    public var name: String
    public var value: Secret

    public init(name: String, value: Secret) {
        self.name = name
        self.value = value
    }
}

/// The alert hooks beside the original's Cloud Foundry notifications: a webhook, an executable and a
/// heartbeat URL, with the events that fire them and the time and TLS settings all alerts share.
public struct AlertHooks: Sendable, Equatable {
    public static let defaultEvents: Set<AlertEvent> = [.failure]
    public static let defaultTimeoutSeconds = 60

    public var webhookURL: Secret?
    public var webhookHeaders: [AlertHeader]
    public var executable: String?
    public var events: Set<AlertEvent>
    public var heartbeatURL: Secret?
    /// `alerts.config.timeout_seconds`: the time one alert may take on one channel, retries included.
    public var timeoutSeconds: Int
    /// `alerts.config.skip_ssl_validation`, for every alert request.
    public var skipSSLValidation: Bool

    public init(
        webhookURL: Secret? = nil, webhookHeaders: [AlertHeader] = [], executable: String? = nil,
        events: Set<AlertEvent> = AlertHooks.defaultEvents, heartbeatURL: Secret? = nil,
        timeoutSeconds: Int = AlertHooks.defaultTimeoutSeconds, skipSSLValidation: Bool = false
    ) {
        self.webhookURL = webhookURL
        self.webhookHeaders = webhookHeaders
        self.executable = executable
        self.events = events
        self.heartbeatURL = heartbeatURL
        self.timeoutSeconds = timeoutSeconds
        self.skipSSLValidation = skipSSLValidation
    }

    /// Whether `event` is one `alerts.on` lists.
    public func fires(on event: AlertEvent) -> Bool { events.contains(event) }
}

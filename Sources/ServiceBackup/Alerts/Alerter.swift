import Foundation
import Logging
import Manifest
import Transport

/// Sends one notice on every channel that takes its event, all at once, each bounded by `timeout_seconds`.
/// Every outcome is logged; nothing is thrown: an alert that cannot be delivered never fails a backup.
///
/// Channels: the original's Cloud Foundry notification (failure, and missed when `alerts.on` lists it),
/// the webhook and the executable (the events `alerts.on` lists), the heartbeat (every success).
public struct Alerter: Sendable {
    public enum Channel: String, Sendable, CaseIterable { case cloudFoundry, webhook, executable, heartbeat }

    let configuration: BackupConfiguration
    let client: HTTPClient
    /// The service instance's identifier, for a refused run (the original asked before refusing).
    let identify: @Sendable (Logger) async -> String?

    public init(configuration: BackupConfiguration, identify: @escaping @Sendable (Logger) async -> String? = { _ in nil }) {
        self.configuration = configuration
        self.identify = identify
        let hooks = configuration.alertHooks
        client = HTTPClient.forAlerts(skipTLSVerification: hooks.skipSSLValidation, timeoutSeconds: hooks.timeoutSeconds)
    }

    private var hooks: AlertHooks { configuration.alertHooks }
    private var limit: Duration { .seconds(hooks.timeoutSeconds) }

    /// The channels that send a notice of `event`.
    public func channels(for event: AlertEvent) -> [Channel] {
        Channel.allCases.filter { channel in
            switch channel {
            case .cloudFoundry: configuration.alerts != nil && event != .success && hooks.fires(on: event)
            case .webhook: hooks.webhookURL != nil && hooks.fires(on: event)
            case .executable: hooks.executable != nil && hooks.fires(on: event)
            case .heartbeat: hooks.heartbeatURL != nil && event == .success
            }
        }
    }

    public func deliver(_ notice: AlertNotice, logger base: Logger) async {
        var logger = base
        if let guid = notice.backupGUID { logger[metadataKey: "backup_guid"] = .string(guid) }
        logger[metadataKey: "event"] = .string(notice.event.rawValue)
        let channels = channels(for: notice.event)
        guard !channels.isEmpty else {
            if notice.event == .failure { logger.info("Alerts not configured.") }
            return
        }
        var notice = notice
        if notice.outcome == .refused, notice.identifier == nil {
            let identify = identify
            notice.identifier = (try? await withDeadline(limit, what: "service identifier") { await identify(base) }) ?? nil
        }
        let resolved = notice
        let product = configuration.alerts?.productName
        let document = AlertDocument.json(resolved, product: product, deployment: configuration.deploymentName)
        let channelLogger = logger
        await withTaskGroup(of: Void.self) { group in
            for channel in channels {
                group.addTask { await send(resolved, document: document, on: channel, logger: channelLogger) }
            }
        }
    }

    private func send(_ notice: AlertNotice, document: [UInt8], on channel: Channel, logger base: Logger) async {
        let requester = AlertRequester(client: client, backoff: AlertBackoff(maxElapsed: limit), logger: base)
        var logger = base
        switch channel {
        case .cloudFoundry:
            guard let alerts = configuration.alerts else { return }
            logger.info("Sending alert.")
            let notifier = CloudFoundryNotifier(alerts: alerts, requester: requester)
            let subject = AlertText.subject(product: alerts.productName, notice.subject)
            let text = AlertText.body(
                product: alerts.productName, serviceInstanceID: notice.identifier, content: notice.content, at: notice.at)
            await attempt("sending service alert", sent: "Sent alert.", failed: "error sending service alert", logger: logger) {
                try await notifier.send(subject: subject, text: text)
            }
        case .webhook:
            guard let url = hooks.webhookURL else { return }
            logger[metadataKey: "webhook"] = .string(AlertHooks.site(of: url))
            logger.info("Sending webhook alert.")
            let sender = WebhookSender(url: url, headers: hooks.webhookHeaders, requester: requester)
            await attempt("webhook alert", sent: "Sent webhook alert.", failed: "error sending webhook alert", logger: logger) {
                try await sender.send(document)
            }
        case .executable:
            guard let command = hooks.executable else { return }
            logger.info("Running alert executable.")
            let sender = ExecutableSender(commandLine: command, gracePeriod: .clamped(seconds: min(configuration.shutdownGracePeriod, 5)))
            await attempt("alert executable", sent: "Alert executable completed.", failed: "error running alert executable", logger: logger) {
                try await sender.send(document)
            }
        case .heartbeat:
            guard let url = hooks.heartbeatURL else { return }
            logger[metadataKey: "heartbeat"] = .string(AlertHooks.site(of: url))
            let sender = HeartbeatSender(url: url, requester: requester)
            await attempt("heartbeat", sent: "Sent heartbeat.", failed: "error sending heartbeat", logger: logger) {
                try await sender.send()
            }
        }
    }

    /// Runs one channel's delivery within `timeout_seconds`, logging `sent` (with the HTTP status, if any) or `failed`.
    private func attempt<T: Sendable>(
        _ what: String, sent: Logger.Message, failed: Logger.Message, logger: Logger,
        _ delivery: @escaping @Sendable () async throws -> T
    ) async {
        do {
            let result = try await withDeadline(limit, what: what, delivery)
            logger.info(sent, metadata: (result as? Int).map { ["status": .stringConvertible($0)] })
        } catch {
            logger.error(failed, metadata: ["error": .string("\(error)")])
        }
    }
}

import Foundation

extension AlertHooks {
    /// `https://host:port` of a URL that may carry a credential in its path or query: all that is ever shown of it.
    public static func site(of url: Secret) -> String {
        guard let components = URLComponents(string: url.reveal()), let scheme = components.scheme, let host = components.host
        else { return "(unparseable URL)" }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }
}

extension BackupConfiguration {
    /// What alerts are sent, and where, for `service-backup validate`; never a credential.
    public var alertsSummaryLines: [String] {
        var lines: [String] = []
        if let alerts {
            let missing = alerts.missingNotificationKeys
            if missing.isEmpty {
                let target = "org \(alerts.cfOrg ?? "?") space \(alerts.cfSpace ?? "?")"
                lines.append("alerts: Cloud Foundry notifications for \(alerts.productName) to \(target) via \(alerts.notificationsServiceURL ?? "?")")
            } else {
                lines.append("alerts: Cloud Foundry notifications for \(alerts.productName) will fail: "
                    + "missing \(missing.joined(separator: ", "))")
            }
        }
        if let url = alertHooks.webhookURL {
            let headers = alertHooks.webhookHeaders.map(\.name)
            lines.append("alerts: webhook \(AlertHooks.site(of: url))" + (headers.isEmpty ? "" : " with headers \(headers.joined(separator: ", "))"))
        }
        if let executable = alertHooks.executable { lines.append("alerts: executable \(executable)") }
        if let url = alertHooks.heartbeatURL { lines.append("alerts: heartbeat \(AlertHooks.site(of: url)) after every successful backup") }
        guard !lines.isEmpty else { return ["alerts: none"] }
        let events = AlertEvent.allCases.filter(alertHooks.fires(on:)).map(\.rawValue).joined(separator: ", ")
        return lines + ["alerts on: \(events)"]
    }
}

extension Alerts {
    /// The `alerts.config` keys a Cloud Foundry notification needs that the manifest leaves empty.
    public var missingNotificationKeys: [String] {
        let given: [(String, Bool)] = [
            ("cloud_controller.url", !(cfURL ?? "").isEmpty), ("cloud_controller.user", !(cfUser ?? "").isEmpty),
            ("cloud_controller.password", cfPassword != nil),
            ("notifications.service_url", !(notificationsServiceURL ?? "").isEmpty),
            ("notifications.cf_org", !(cfOrg ?? "").isEmpty), ("notifications.cf_space", !(cfSpace ?? "").isEmpty),
            ("notifications.client_id", !(clientID ?? "").isEmpty), ("notifications.client_secret", clientSecret != nil),
        ]
        return given.filter { !$0.1 }.map { "alerts.config." + $0.0 }
    }
}

/// The original's `alerts` block, in the rendered form (`alerts.config.…`) or the BOSH job
/// property form (`alerts.cloud_controller`, `alerts.notification_target`); see ``ManifestSchema``.
enum AlertsParser {
    typealias Keys = ManifestSchema.Alerts

    static func alerts(in block: ManifestMap?) throws -> Alerts? {
        guard let block, let productName = try block.string(Keys.productName) else { return nil }
        let cloudController: ManifestMap?
        let notifications: ManifestMap?
        let uaa: ManifestMap?
        if block.contains("config") {
            let config = try block.map(named: "config")
            cloudController = try config?.map(named: "cloud_controller")
            notifications = try config?.map(named: "notifications")
            uaa = notifications
        } else {
            cloudController = try block.map(named: "cloud_controller")
            notifications = try block.map(named: "notification_target")
            uaa = try notifications?.map(named: "authentication")?.map(named: "uaa")
        }
        var alerts = Alerts(productName: productName)
        alerts.cfURL = try cloudController?.string(Keys.ccURL)
        alerts.cfUser = try cloudController?.string(Keys.ccUser)
        alerts.cfPassword = try cloudController?.secret(Keys.ccPassword)
        alerts.notificationsServiceURL = try notifications?.string(Keys.serviceURL)
        alerts.cfOrg = try notifications?.string(Keys.cfOrg)
        alerts.cfSpace = try notifications?.string(Keys.cfSpace)
        alerts.replyTo = try notifications?.string(Keys.replyTo)
        alerts.clientID = try uaa?.string(Keys.clientID)
        alerts.clientSecret = try uaa?.secret(Keys.clientSecret)
        let delivery = try delivery(in: block)
        alerts.timeoutSeconds = delivery.timeoutSeconds
        alerts.skipSSLValidation = delivery.skipSSLValidation
        return alerts
    }

    /// `timeout_seconds` and `skip_ssl_validation`, which every alert channel shares, in either form of the block.
    static func delivery(in block: ManifestMap) throws -> (timeoutSeconds: Int, skipSSLValidation: Bool) {
        let timeouts: ManifestMap?
        let notifications: ManifestMap?
        if block.contains("config") {
            timeouts = try block.map(named: "config")
            notifications = try timeouts?.map(named: "notifications")
        } else {
            timeouts = block
            notifications = try block.map(named: "notification_target")
        }
        let timeout = try timeouts?.integer(Keys.timeoutSeconds, in: 1...86_400) ?? AlertHooks.defaultTimeoutSeconds
        let skip = try (timeouts?.boolean(Keys.skipSSLValidation) ?? notifications?.boolean(Keys.skipSSLValidation)) ?? false
        return (timeout, skip)
    }
}

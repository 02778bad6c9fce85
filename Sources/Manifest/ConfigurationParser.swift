/// Turns located settings into a ``BackupConfiguration``, checking in the original's order:
/// the top-level required keys (only when there is a destination), then each destination.
struct ConfigurationParser {
    typealias Keys = ManifestSchema.Settings

    let settings: ManifestMap
    let boshDeploymentName: String?

    func parse() throws -> BackupConfiguration {
        let message = try settings.string(Keys.missingPropertiesMessage)
            ?? BackupConfiguration.defaultMissingPropertiesMessage
        let entries = try DestinationEntry.entries(in: settings, message: message)
        if !entries.isEmpty {
            let missing = Keys.requiredWithDestinations.filter(settings.isMissing)
            if !missing.isEmpty {
                let names = missing.map(\.name).joined(separator: ", ")
                throw ManifestError.validation("Missing values for service_backup: \(names)", message: message)
            }
        }
        let destinations = try entries.map { try $0.configuration(message: message) }

        var configuration = BackupConfiguration(destinations: destinations, missingPropertiesMessage: message)
        configuration.sourceFolder = try settings.string(Keys.sourceFolder) ?? ""
        configuration.sourceExecutable = try settings.string(Keys.sourceExecutable)
        configuration.cronSchedule = try settings.string(Keys.cronSchedule) ?? ""
        configuration.cleanupExecutable = try settings.string(Keys.cleanupExecutable)
        configuration.serviceIdentifierExecutable = try settings.string(Keys.serviceIdentifierExecutable)
        configuration.exitIfInProgress = try settings.boolean(Keys.exitIfInProgress) ?? false
        configuration.deploymentName = try settings.string(Keys.deploymentName) ?? boshDeploymentName
        configuration.addDeploymentNameToBackupPath = try settings.boolean(Keys.addDeploymentName) ?? false
        configuration.shutdownGracePeriod = try settings.number(Keys.shutdownGracePeriod, atLeast: 0, atMost: 86_400)
            ?? BackupConfiguration.defaultShutdownGracePeriod
        configuration.runFolders = try settings.boolean(Keys.runFolders) ?? false
        configuration.staleUploadAge = try settings.number(Keys.staleUploadAge, atLeast: 60, atMost: 365 * 86_400)
            ?? BackupConfiguration.defaultStaleUploadAge
        configuration.politeness = try Politeness.parse(settings)
        configuration.alerts = try AlertsParser.alerts(in: settings.map(named: "alerts"))
        configuration.status = try StatusSettings.parse(settings)
        configuration.logTimestampFormat = try LoggingSettingsParser.timestampFormat(in: settings)
        configuration.alertHooks = try AlertHooksParser.hooks(in: settings.map(named: "alerts"))

        if configuration.addDeploymentNameToBackupPath, configuration.deploymentName == nil, !destinations.isEmpty {
            throw ManifestError.value(
                settings.keyPath(Keys.addDeploymentName.name), "is true but deployment_name is empty",
                at: settings.location(of: settings.node(named: Keys.addDeploymentName.name)))
        }
        return configuration
    }
}

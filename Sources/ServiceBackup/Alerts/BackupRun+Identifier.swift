import Logging

extension BackupRun {
    /// The service instance's identifier from `service_identifier_executable`, or nil (the failure is logged).
    func identifier(logger: Logger) async -> String? {
        guard let command = configuration.serviceIdentifierExecutable, !command.isEmpty else { return nil }
        return await identify(command, logger: logger)
    }
}

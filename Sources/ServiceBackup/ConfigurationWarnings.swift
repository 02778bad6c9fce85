import Logging

/// How the daemon and `backup` report `validate`'s warnings: one `Configuration warning` line each, `data.warning`.
enum ConfigurationWarnings {
    static func log(_ warnings: [String], to logger: Logger) {
        for warning in warnings { logger.warning("Configuration warning", metadata: ["warning": .string(warning)]) }
    }
}

import LagerLog

extension Service {
    /// The format a command logs in: the `--log-format` flag, else the manifest's `logging.format.timestamp`,
    /// else the command's own default (``LogTimestampFormat/daemonDefault`` or ``LogTimestampFormat/commandDefault``).
    public func logFormat(flag: LogTimestampFormat?, default commandDefault: LogTimestampFormat) -> LogTimestampFormat {
        flag ?? configuration.logTimestampFormat.flatMap(LogTimestampFormat.init(rawValue:)) ?? commandDefault
    }
}

import ArgumentParser
import LagerLog
import Logging
import ServiceBackup

extension LogTimestampFormat: ExpressibleByArgument {}

/// `--log-format`, which beats the manifest's `logging.format.timestamp`, which beats the command's default.
struct LogFormatOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Log line format: rfc3339 (lager's pretty lines) or unix-epoch (classic lines). "
            + "Overrides the manifest's logging.format.timestamp."))
    var logFormat: LogTimestampFormat?

    /// The logger for `service`'s command, on `sink` (stdout unless said), in the chosen format.
    func bootstrap(
        for service: Service, default commandDefault: LogTimestampFormat, to sink: LineSink = .standardOutput
    ) -> Logger {
        Service.bootstrapLogging(to: sink, format: service.logFormat(flag: logFormat, default: commandDefault))
    }
}

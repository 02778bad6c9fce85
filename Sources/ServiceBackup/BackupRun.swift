import Backups
import Foundation
import Logging
import Manifest
import Storage
import Transport

/// One backup: identify the instance, run the source executable, upload to every destination, clean up.
/// Each run has its own `backup_guid`, carried on every line it logs.
public struct BackupRun: Sendable {
    public let configuration: BackupConfiguration
    public let destinations: [Destination]
    /// Where the upload reports each destination's progress, for a display; nil reports none.
    public var progress: ProgressBoard?

    public init(configuration: BackupConfiguration, destinations: [Destination]) {
        self.configuration = configuration
        self.destinations = destinations
    }

    private var gracePeriod: Duration { .clamped(seconds: configuration.shutdownGracePeriod) }

    /// Performs the run and reports what it did; `report.succeeded` tells whether the backup reached every destination.
    public func perform(logger base: Logger, now: Date = Date()) async -> RunReport {
        var logger = base
        let guid = UUID().uuidString.lowercased()
        logger[metadataKey: "backup_guid"] = .string(guid)
        var report = RunReport(backupGUID: guid, runID: RunLayout.runID(startedAt: now, backupGUID: guid), startedAt: now, finishedAt: now)
        if let command = configuration.serviceIdentifierExecutable, !command.isEmpty {
            if let identifier = await identify(command, logger: logger) {
                logger[metadataKey: "identifier"] = .string(identifier)
                report.identifier = identifier
            }
        }
        if let failure = await runSourceExecutable(logger: logger) {
            report.failedStep = .sourceExecutable
            report.error = failure
        } else {
            // The upload work runs at the manifest's nice/ionice; the commands above and below keep the daemon's.
            await OwnThreadContext.$priority.withValue(configuration.politeness.uploadThreadPriority) {
                await upload(logger: logger, report: &report)
            }
            if report.succeeded, await cleanup(logger: logger) != nil { report.failedStep = .cleanup }
        }
        await applyRetention(after: report, logger: logger)
        await destinations.closeConnections()
        report.cancelled = Task.isCancelled
        report.finishedAt = Date()
        return report
    }

    func identify(_ command: String, logger: Logger) async -> String? {
        do {
            let outcome = try await ChildProcess(commandLine: command, gracePeriod: gracePeriod).run(standardOutputOnly: true)
            guard outcome.succeeded else {
                logger.error("Service identifier command returned error", metadata: ["error": .string(outcome.statusText)])
                return nil
            }
            return outcome.outputTail.trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            logger.error("Service identifier command not found", metadata: ["error": .string("\(error)")])
            return nil
        }
    }

    /// Nil when the source executable succeeded (or there is none), otherwise its error.
    private func runSourceExecutable(logger: Logger) async -> String? {
        guard let command = configuration.sourceExecutable, !command.isEmpty else {
            logger.info("source_executable not provided, skipping performing of backup")
            return nil
        }
        return await run(command, as: "Perform backup", logger: logger)
    }

    /// Runs a manifest command, logging `<step> started`, then `<step> completed successfully` or `… with error`.
    /// Nil when it succeeded, otherwise the error it logged.
    private func run(_ command: String, as step: String, logger: Logger) async -> String? {
        logger.info("\(step) started")
        do {
            let outcome = try await ChildProcess(commandLine: command, gracePeriod: gracePeriod).run()
            guard outcome.succeeded else {
                logger.error("\(step) completed with error", metadata: [
                    "error": .string(outcome.statusText), "output": .string(outcome.outputTail),
                ])
                return outcome.statusText
            }
        } catch {
            logger.error("\(step) completed with error", metadata: ["error": .string("\(error)")])
            return "\(error)"
        }
        logger.info("\(step) completed successfully")
        return nil
    }

    /// Runs the cleanup executable; nil when it succeeded, otherwise its error.
    private func cleanup(logger: Logger) async -> String? {
        guard let command = configuration.cleanupExecutable, !command.isEmpty else {
            logger.info("Cleanup command not provided")
            return nil
        }
        return await run(command, as: "Cleanup", logger: logger)
    }
}

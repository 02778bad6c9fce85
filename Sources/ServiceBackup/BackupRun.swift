import Stores
import Foundation
import Logging
import Manifest
import Transport

/// One backup: identify the instance, run the source executable, upload to every destination, clean up.
/// Each run has its own `backup_guid`, carried on every line it logs.
public struct BackupRun: Sendable {
    public let configuration: BackupConfiguration
    public let destinations: [any Destination]

    public init(configuration: BackupConfiguration, destinations: [any Destination]) {
        self.configuration = configuration
        self.destinations = destinations
    }

    private var gracePeriod: Duration { .clamped(seconds: configuration.shutdownGracePeriod) }

    /// Performs the run and tells whether the backup reached every destination.
    public func perform(logger base: Logger, now: Date = Date()) async -> Bool {
        var logger = base
        logger[metadataKey: "backup_guid"] = .string(UUID().uuidString.lowercased())
        if let command = configuration.serviceIdentifierExecutable, !command.isEmpty {
            if let identifier = await identify(command, logger: logger) {
                logger[metadataKey: "identifier"] = .string(identifier)
            }
        }
        guard await runSourceExecutable(logger: logger) else { return false }
        guard await upload(logger: logger, startedAt: now) else { return false }
        await cleanup(logger: logger)
        return true
    }

    private func identify(_ command: String, logger: Logger) async -> String? {
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

    private func runSourceExecutable(logger: Logger) async -> Bool {
        guard let command = configuration.sourceExecutable, !command.isEmpty else {
            logger.info("source_executable not provided, skipping performing of backup")
            return true
        }
        return await run(command, as: "Perform backup", logger: logger)
    }

    /// Runs a manifest command, logging `<step> started`, then `<step> completed successfully` or `… with error`.
    private func run(_ command: String, as step: String, logger: Logger) async -> Bool {
        logger.info("\(step) started")
        do {
            let outcome = try await ChildProcess(commandLine: command, gracePeriod: gracePeriod).run()
            guard outcome.succeeded else {
                logger.error("\(step) completed with error", metadata: [
                    "error": .string(outcome.statusText), "output": .string(outcome.outputTail),
                ])
                return false
            }
        } catch {
            logger.error("\(step) completed with error", metadata: ["error": .string("\(error)")])
            return false
        }
        logger.info("\(step) completed successfully")
        return true
    }

    private func upload(logger: Logger, startedAt: Date) async -> Bool {
        logger.info("Upload backup started")
        let clock = ContinuousClock.now
        let deploymentFolder = configuration.addDeploymentNameToBackupPath ? configuration.deploymentName : nil
        let backup: Backup
        do {
            let sourceFolder = configuration.sourceFolder
            let remoteFolder = Backup.remoteFolder(for: startedAt, deploymentName: deploymentFolder)
            backup = try await onOwnThread { _ in try Backup.scan(sourceFolder: sourceFolder, remoteFolder: remoteFolder) }
        } catch {
            logger.error("Upload backup completed with error", metadata: ["error": .string("\(error)")])
            return false
        }

        let failures = await withTaskGroup(of: String?.self) { group in
            for destination in destinations {
                group.addTask { await upload(backup, to: destination, logger: logger) }
            }
            return await group.reduce(into: [String]()) { failures, failure in
                if let failure { failures.append(failure) }
            }
        }
        guard failures.isEmpty else {
            logger.error("Upload backup completed with error", metadata: ["error": .string(failures.joined(separator: "; "))])
            return false
        }
        logger.info("Upload backup completed successfully", metadata: [
            "duration_in_seconds": .stringConvertible((ContinuousClock.now - clock).inSeconds),
            "size_in_bytes": .stringConvertible(backup.totalBytes),
        ])
        return true
    }

    /// Uploads to one destination; returns the failure text, or nil on success.
    private func upload(_ backup: Backup, to destination: any Destination, logger base: Logger) async -> String? {
        var logger = base
        if let name = destination.name { logger[metadataKey: "destination_name"] = .string(name) }
        do {
            let started = ContinuousClock.now
            let summary = try await destination.upload(backup, logger: logger)
            let seconds = (ContinuousClock.now - started).inSeconds
            let rate = seconds > 0 ? Double(summary.bytes) / 1_048_576 / seconds : 0
            logger.info("\(destination.typeName) completed")
            logger.info("\(destination.typeName) upload summary", metadata: [
                "files": .stringConvertible(summary.files),
                "bytes": .stringConvertible(summary.bytes),
                "seconds": .stringConvertible(seconds),
                "mib_per_second": .stringConvertible((rate * 100).rounded() / 100),
                "retries": .stringConvertible(summary.retries),
            ])
            return nil
        } catch where error is CancellationError || Task.isCancelled {
            return "\(destination.typeName) upload cancelled"
        } catch {
            logger.error("\(destination.typeName) upload failed", metadata: ["error": .string("\(error)")])
            let label = destination.name.map { "\(destination.typeName) destination \($0)" } ?? "\(destination.typeName) destination"
            return "\(label): \(error)"
        }
    }

    private func cleanup(logger: Logger) async {
        guard let command = configuration.cleanupExecutable, !command.isEmpty else {
            logger.info("Cleanup command not provided")
            return
        }
        _ = await run(command, as: "Cleanup", logger: logger)
    }
}

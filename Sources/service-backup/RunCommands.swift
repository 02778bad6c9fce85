import ArgumentParser
import Foundation
import ServiceBackup

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run backups on the manifest's cron schedule until SIGTERM or SIGINT."
    )

    @Argument(help: "The manifest: a rendered backup.yml, a BOSH deployment manifest, or the legacy form.")
    var config: String

    func run() async throws {
        let service = try loadService(config)
        let logger = Service.bootstrapLogging()
        try await runUntilSignalled { await service.daemon.run(logger: logger) }
    }
}

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Run one backup now. Exit 0 when every destination has it, 2 otherwise.",
        aliases: ["manual-backup"]
    )

    @Argument(help: "The manifest: a rendered backup.yml, a BOSH deployment manifest, or the legacy form.")
    var config: String

    func run() async throws {
        let service = try loadService(config)
        let logger = Service.bootstrapLogging()
        guard !service.destinations.isEmpty else {
            logger.info("No destination provided - skipping backup")
            return
        }
        let succeeded = try await runUntilSignalled { await service.backupRun.perform(logger: logger) }
        if !succeeded { throw ExitStatus.failure }
    }
}

/// Loads the manifest, or prints why not and exits 2.
func loadService(_ path: String) throws -> Service {
    do {
        return try Service.load(path: path)
    } catch {
        printError("\(error)")
        throw ExitStatus.failure
    }
}

/// Runs `work` in a task that SIGTERM/SIGINT cancel; returns its result once it has wound down.
func runUntilSignalled<T: Sendable>(_ work: @escaping @Sendable () async -> T) async throws -> T {
    let task = Task { await work() }
    let signals = ShutdownSignals { _ in task.cancel() }
    let result = await task.value
    withExtendedLifetime(signals) {}
    if task.isCancelled, T.self == Bool.self, result as? Bool == false { throw ExitStatus.failure }
    return result
}

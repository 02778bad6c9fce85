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

    @OptionGroup var logging: LogFormatOption

    func run() async throws {
        // Resumed from an idle sleep: the manifest it was started with, as it was then.
        let resume = DaemonResume.take()
        let service = try loadService(config, text: resume?.manifestText)
        let logger = logging.bootstrap(for: service, default: .daemonDefault)
        var daemon = service.daemon
        daemon.resume = resume
        await runUntilSignalled { [daemon] in await daemon.run(logger: logger) }
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

    @OptionGroup var logging: LogFormatOption

    func run() async throws {
        let service = try loadService(config)
        // stdout carries the run's JSON lines only; the manifest's warnings go to stderr, as with validate.
        for warning in service.warnings { printError("warning: \(warning)") }
        let terminal = ProgressTerminal.onStandardError()
        let logger = logging.bootstrap(for: service, default: .commandDefault, to: terminal?.logSink ?? .standardOutput)
        guard !service.destinations.isEmpty else {
            logger.info("No destination provided - skipping backup")
            return
        }
        var backupRun = service.backupRun
        backupRun.progress = terminal?.board
        terminal?.start()
        let run = backupRun
        let report = await runUntilSignalled {
            await run.performLocked(lockFile: service.lockFile, waitIfBusy: false, logger: logger)
        }
        await terminal?.stop()
        guard let report else { throw ExitStatus.failure }
        await service.statusRecorder.recordRun(report, logger: logger)
        if !report.succeeded { throw ExitStatus.failure }
    }
}

/// Loads the manifest, or prints why not and exits 2.
func loadService(_ path: String, text: String? = nil) throws -> Service {
    do {
        return try Service.load(path: path, text: text)
    } catch {
        printError("\(error)")
        throw ExitStatus.failure
    }
}

/// Runs `work` in a task that SIGTERM/SIGINT cancel; returns its result once it has wound down.
/// The signal handlers are in place before the work starts, so an early signal is never lost (before them,
/// a signal's default action stops the process, with nothing yet begun). Called once per process.
func runUntilSignalled<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T {
    let (stop, stopper) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    ShutdownSignals.listen { _ in stopper.yield() }
    let task = Task { await work() }
    let watcher = Task {
        for await _ in stop {
            task.cancel()
            return
        }
    }
    let result = await task.value
    watcher.cancel()
    return result
}

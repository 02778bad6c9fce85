import Cron
import Foundation
import Logging
import Manifest
import Synchronization

/// The long-running service: fires a `BackupRun` at each time of the cron schedule, never two at once.
///
/// A tick that finds a run in progress is refused (`exit_if_in_progress: true`) or queued; at most one
/// tick waits, later ones are dropped. Between fire times the daemon sleeps: no polling.
/// Cancelling the task that runs `run()` stops it: no new run starts, the run in progress is cancelled
/// (its children get SIGTERM, then SIGKILL after the grace period), and `run()` returns when all is over.
public struct Daemon: Sendable {
    public let configuration: BackupConfiguration
    public let schedule: CronSchedule?
    public let backupRun: BackupRun
    /// The manifest's file, for the start line.
    public var manifestPath: String? = nil
    /// The lock shared with every other process running this manifest's backups (none when nil).
    public var lockFile: String? = nil

    public init(configuration: BackupConfiguration, schedule: CronSchedule?, backupRun: BackupRun) {
        self.configuration = configuration
        self.schedule = schedule
        self.backupRun = backupRun
    }

    public func run(logger: Logger) async {
        logger.info("Service-backup Started", metadata: startedMetadata())
        guard let schedule, !backupRun.destinations.isEmpty else {
            logger.info("No destination provided - skipping backup")
            await Self.waitForCancellation()
            logger.info("All backup processes terminated. Exiting")
            return
        }

        let (ticks, tickQueue) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let running = RunningFlag()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in ticks {
                    if Task.isCancelled { break }
                    running.set(true)
                    _ = await backupRun.performLocked(lockFile: lockFile, waitIfBusy: !configuration.exitIfInProgress, logger: logger)
                    running.set(false)
                }
            }
            group.addTask {
                await Self.tick(on: schedule) {
                    if configuration.exitIfInProgress && running.isSet {
                        BackupRun.logRefusal(logger)
                    } else {
                        tickQueue.yield()
                    }
                }
                tickQueue.finish()
            }
            await group.waitForAll()
        }
        logger.info("All backup processes terminated. Exiting")
    }

    /// Calls `fire` at each fire time of `schedule` until the task is cancelled.
    static func tick(on schedule: CronSchedule, fire: () -> Void) async {
        var after = Date()
        while !Task.isCancelled, let next = schedule.next(after: after) {
            while true {
                let wait = next.timeIntervalSinceNow
                if wait <= 0 { break }
                do {
                    try await Task.sleep(for: .milliseconds(Int64((wait * 1000).rounded(.up))))
                } catch {
                    return
                }
            }
            fire()
            after = max(next, Date())
        }
    }

    static func waitForCancellation() async {
        let (stream, _) = AsyncStream.makeStream(of: Void.self)
        for await _ in stream {}
    }
}

/// Whether a run is in progress, shared by the ticker and the runner.
final class RunningFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set(_ newValue: Bool) { value.store(newValue, ordering: .releasing) }
}

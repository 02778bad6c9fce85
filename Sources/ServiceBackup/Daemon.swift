import Cron
import Foundation
import Logging
import Manifest
import Synchronization

/// The long-running service: fires a `BackupRun` at each time of the cron schedule, never two at once.
///
/// A tick that finds a run in progress is refused (`exit_if_in_progress: true`) or queued; at most one
/// tick waits, later ones are dropped. Between fire times the daemon sleeps: no polling, no wake-up
/// (see `sleep(until:)`), and it gives memory back before a long wait.
/// A dropped tick, and fire times that passed while the daemon slept, are logged (`Missed scheduled backup`)
/// and alerted; a finished or refused run is handed to the alerts, which never hold up the next run.
/// Cancelling the task that runs `run()` stops it: no new run starts, the run in progress is cancelled
/// (its children get SIGTERM, then SIGKILL after the grace period), and `run()` returns when all is over.
public struct Daemon: Sendable {
    public let configuration: BackupConfiguration
    public let schedule: CronSchedule?
    public let backupRun: BackupRun
    /// Where the daemon records its state and each run's outcome; nil records nothing.
    public let status: StatusRecorder?
    /// The manifest's warnings, logged once after `Service-backup Started`.
    public var warnings: [String] = []
    /// The manifest's file, for the start line.
    public var manifestPath: String? = nil
    /// The lock shared with every other process running this manifest's backups (none when nil).
    public var lockFile: String? = nil
    /// The manifest's text as loaded, handed to the fresh image a long idle wait is slept in; nil sleeps here.
    public var manifestText: String? = nil
    /// Set when this process is such an image, resumed at a fire time (or by a stop signal).
    public var resume: DaemonResume? = nil

    public init(configuration: BackupConfiguration, schedule: CronSchedule?, backupRun: BackupRun, status: StatusRecorder? = nil) {
        self.configuration = configuration
        self.schedule = schedule
        self.backupRun = backupRun
        self.status = status
    }

    public func run(logger: Logger) async {
        if resume == nil {
            logger.info("Service-backup Started", metadata: startedMetadata())
            ConfigurationWarnings.log(warnings, to: logger)
        }
        guard let schedule, !backupRun.destinations.isEmpty else {
            logger.info("No destination provided - skipping backup")
            await Self.waitForCancellation()
            logger.info("All backup processes terminated. Exiting")
            return
        }

        if resume == nil { await status?.daemonStarted(nextRun: schedule.next(after: Date()), logger: logger) }
        let splay = if let resume { resume.splay } else { await splayDelay(logger: logger) }
        let (ticks, tickQueue) = AsyncStream.makeStream(of: Date.self, bufferingPolicy: .bufferingNewest(1))
        let running = RunningFlag()
        let idle = IdleImageSleep(manifestText: manifestText, splay: splay, logger: logger)
        let alerts = AlertQueue(idle: idle)
        let alerter = Alerter(configuration: configuration) { await backupRun.identifier(logger: $0) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await alerts.deliverAll(with: alerter, logger: logger) }
            group.addTask {
                Self.releaseMemoryIfIdle(until: schedule.next(after: Date()))
                for await _ in ticks {
                    if Task.isCancelled { break }
                    running.set(true)
                    let report = await backupRun.performLocked(
                        lockFile: lockFile, waitIfBusy: !configuration.exitIfInProgress, logger: logger,
                        refused: { alerts.post(.refused(backupGUID: $0), logger: logger) })
                    running.set(false)
                    if let report {
                        await status?.recordDaemonRun(report, nextRun: schedule.next(after: Date()), logger: logger)
                        if let notice = AlertNotice.finished(report) { alerts.post(notice, logger: logger) }
                        Self.releaseMemoryIfIdle(until: schedule.next(after: Date()))
                    }
                    idle.end()
                }
                alerts.finish()
            }
            group.addTask {
                await Self.tick(
                    on: schedule, splay: splay, after: resume?.after ?? Date(),
                    missed: { Self.missed($0, alerts: alerts, logger: logger) },
                    waiting: { idle.waiting(until: $0, after: $1) }, woke: { idle.woke() }
                ) { fireTime in
                    if configuration.exitIfInProgress && running.isSet {
                        let guid = BackupRun.logRefusal(logger)
                        alerts.post(.refused(backupGUID: guid), logger: logger)
                        return
                    }
                    idle.begin()
                    switch tickQueue.yield(fireTime) {
                    case .enqueued: break
                    case .dropped(let replaced):
                        idle.end()
                        Self.missed(.replaced(replaced), alerts: alerts, logger: logger)
                    default: idle.end()
                    }
                }
                tickQueue.finish()
            }
            await group.waitForAll()
        }
        await status?.daemonStopped(logger: logger)
        logger.info("All backup processes terminated. Exiting")
    }

    /// Calls `fire` `splay` seconds after each fire time of `schedule` past `start` until the task is cancelled;
    /// `missed` hears of the fire times that passed while the daemon was not awake to fire them; `waiting` of each
    /// wait as it begins (its end, and the time the fire times were looked up from), `woke` as it ends.
    static func tick(
        on schedule: CronSchedule, splay: Double = 0, after start: Date = Date(), missed: (MissedFireTimes) -> Void = { _ in },
        waiting: (_ next: Date, _ after: Date) -> Void = { _, _ in }, woke: () -> Void = {}, fire: (Date) -> Void
    ) async {
        var after = start
        while !Task.isCancelled, let scheduled = schedule.next(after: after) {
            let next = scheduled.addingTimeInterval(splay)
            waiting(next, after)
            let slept = await sleep(until: next)
            woke()
            guard slept else { return }
            fire(next)
            let now = Date()
            if let skipped = MissedFireTimes.skipped(after: next, until: now, on: schedule) { missed(skipped) }
            after = max(next, now)
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

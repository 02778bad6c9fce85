import Foundation
import Logging
import Synchronization
import Transport

extension Daemon {
    /// A wait this long or longer until the next fire time is slept in a fresh image of the program, with no
    /// wake-up at all (`IdleExec`); `SERVICE_BACKUP_IDLE_EXEC_SECONDS` sets another length (0: never).
    static let idleExecBeforeWaitsOf: TimeInterval = {
        ProcessInfo.processInfo.environment["SERVICE_BACKUP_IDLE_EXEC_SECONDS"].flatMap(TimeInterval.init) ?? 300
    }()
}

/// Puts the daemon to sleep in a fresh image of the program (`IdleExec`) once the ticker waits for a fire time at
/// least `Daemon.idleExecBeforeWaitsOf` away and nothing is under way: no run, no queued tick, no alert being sent.
/// Whichever comes last, the wait beginning or the work ending, makes the move. The fresh image resumes from the
/// wait's fire time with the manifest text this daemon was started with (`DaemonResume`).
final class IdleImageSleep: Sendable {
    private struct State: Sendable {
        var wait: (next: Date, after: Date)?
        var pending = 0
        /// An attempt is under way (at most one: the runner's and the ticker's may meet).
        var attempting = false

        /// The wait to sleep through now, taken for one attempt; nil while work is pending or another attempt runs.
        mutating func takeReady() -> (next: Date, after: Date)? {
            guard pending == 0, !attempting, let wait else { return nil }
            attempting = true
            return wait
        }
    }

    private let state = Mutex(State())
    private let manifestText: String?
    private let splay: Double
    private let logger: Logger

    init(manifestText: String?, splay: Double, logger: Logger) {
        self.manifestText = manifestText
        self.splay = splay
        self.logger = logger
    }

    /// Work begins: a tick handed to the runner, an alert queued.
    func begin() { state.withLock { $0.pending += 1 } }

    /// That work is over (the run's status and alerts posted, the alert sent or given up).
    func end() {
        let ready = state.withLock { state -> (next: Date, after: Date)? in
            state.pending -= 1
            return state.takeReady()
        }
        if let ready { attempt(ready) }
    }

    /// The ticker begins to wait until `next`, having looked up the fire times from `after`.
    func waiting(until next: Date, after: Date) {
        let ready = state.withLock { state -> (next: Date, after: Date)? in
            state.wait = (next, after)
            return state.takeReady()
        }
        if let ready { attempt(ready) }
    }

    /// The ticker's wait is over.
    func woke() { state.withLock { $0.wait = nil } }

    private func attempt(_ wait: (next: Date, after: Date)) {
        defer { state.withLock { $0.attempting = false } }
        guard Daemon.idleExecBeforeWaitsOf > 0, wait.next.timeIntervalSinceNow >= Daemon.idleExecBeforeWaitsOf,
              let manifestText, !Task.isCancelled else { return }
        let resume = DaemonResume(after: wait.after, splay: splay, manifestText: manifestText)
        let reason = IdleExec.sleep(until: wait.next, handing: resume.line, bytes: Array(manifestText.utf8))
        logger.debug("Idle sleep in a fresh image not possible", metadata: ["error": .string(reason)])
    }
}

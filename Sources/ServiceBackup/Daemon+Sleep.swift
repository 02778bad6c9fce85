import Foundation
import Transport

extension Daemon {
    /// A wait this long or longer until the next fire time first gives memory back (`MemoryRelease`): worth
    /// its cost only when the daemon idles for a while, not between the runs of `@every 1s`.
    static let releaseMemoryBeforeWaitsOf: TimeInterval = 300

    /// Sleeps until the wall clock reads `time`, with no wake-up before (a suspended machine or a clock set
    /// forward wakes it once the time has passed); false when the task was cancelled first.
    static func sleep(until time: Date) async -> Bool {
        while time.timeIntervalSinceNow > 0 {
            switch await WallClockAlarm.sleep(until: time) {
            case .due: continue
            case .cancelled: return false
            case .unavailable: break
            }
            let wait = time.timeIntervalSinceNow
            guard wait > 0 else { break }
            do {
                try await Task.sleep(for: .milliseconds(Int64((wait * 1000).rounded(.up))))
            } catch {
                return false
            }
        }
        return true
    }

    /// Gives memory back when the next fire time is far enough away (see ``releaseMemoryBeforeWaitsOf``).
    static func releaseMemoryIfIdle(until next: Date?) {
        guard let next, next.timeIntervalSinceNow >= releaseMemoryBeforeWaitsOf else { return }
        MemoryRelease.now()
    }
}

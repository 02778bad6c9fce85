import Cron
import Foundation

/// Fire times of the schedule that passed with no run: the daemon was asleep past them (a suspended VM,
/// the clock set forward), or a run lasted so long that a waiting fire time was replaced by a later one.
public struct MissedFireTimes: Sendable, Equatable {
    public enum Reason: String, Sendable, Equatable {
        case previousRunInProgress = "the previous backup was still running"
        case daemonAsleep = "the daemon was not running at that time (a suspended machine, or the clock set forward)"
    }

    /// The first ``listLimit`` missed times.
    public var times: [Date]
    /// How many fire times were missed, counted up to ``countLimit``.
    public var count: Int
    public var reason: Reason

    public static let listLimit = 10
    public static let countLimit = 10_000

    public init(times: [Date], count: Int, reason: Reason) {
        self.times = times
        self.count = count
        self.reason = reason
    }

    /// The fire times after `fired` (the one the daemon fired, late) up to `now`, which the next wait skips; nil when none.
    public static func skipped(after fired: Date, until now: Date, on schedule: CronSchedule) -> MissedFireTimes? {
        var times: [Date] = []
        var count = 0
        var cursor = fired
        while count < countLimit, let next = schedule.next(after: cursor), next <= now {
            if times.count < listLimit { times.append(next) }
            count += 1
            cursor = next
        }
        return count == 0 ? nil : MissedFireTimes(times: times, count: count, reason: .daemonAsleep)
    }

    /// One waiting fire time that a later one replaced while a run was in progress.
    public static func replaced(_ time: Date) -> MissedFireTimes {
        MissedFireTimes(times: [time], count: 1, reason: .previousRunInProgress)
    }
}

import Cron
import Foundation
import Manifest

/// What a schedule does that its author may not expect, given the other settings.
enum ScheduleWarnings {
    /// How far ahead fire times are looked at for two on one day.
    static let horizon: TimeInterval = 400 * 86_400

    static func warnings(for schedule: CronSchedule, configuration: BackupConfiguration, now: Date) -> [String] {
        var warnings: [String] = []
        let quoted = "cron_schedule \"\(configuration.cronSchedule)\""
        if schedule.isEveryUnderOneSecond {
            warnings.append("\(quoted) is an @every under a second, which runs every second")
        }
        if !configuration.runFolders, firesTwiceOnOneDay(schedule, after: now) {
            warnings.append("\(quoted) fires more than once a day while run_folders is false: runs of the same day "
                + "share one day folder, and each replaces the files of the one before; set run_folders: true to keep each")
        }
        let splay = configuration.politeness.splaySeconds
        if splay > 0, let gap = shortestGap(schedule, after: now), gap < splay {
            warnings.append("splay_seconds \(Int(splay.rounded(.up))) is longer than the \(Int(gap)) s between fire times of "
                + "\(quoted): the daemon skips the fire times that pass while it waits")
        }
        return warnings
    }

    /// The shortest time between two of the next fire times, within the horizon.
    static func shortestGap(_ schedule: CronSchedule, after now: Date) -> TimeInterval? {
        let times = schedule.nextTimes(after: now, count: 100).filter { $0.timeIntervalSince(now) < horizon }
        return zip(times, times.dropFirst()).map { $1.timeIntervalSince($0) }.min()
    }

    /// Whether two consecutive fire times fall on one day of the VM's clock (backup folders are named by it).
    static func firesTwiceOnOneDay(_ schedule: CronSchedule, after now: Date, calendar: Calendar = .current) -> Bool {
        var previous: Date?
        var after = now
        while let next = schedule.next(after: after), next.timeIntervalSince(now) < horizon {
            if let previous, calendar.isDate(previous, inSameDayAs: next) { return true }
            previous = next
            after = next
        }
        return false
    }
}

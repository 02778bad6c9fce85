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
        return warnings
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

import Cron
import Foundation
import Manifest
import Testing
@testable import ServiceBackup

@Suite struct ScheduleWarningsTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    func twice(_ expression: String) throws -> Bool {
        let schedule = try CronSchedule(parsing: expression, defaultTimeZone: TimeZone(identifier: "UTC")!)
        return ScheduleWarnings.firesTwiceOnOneDay(schedule, after: now, calendar: utc)
    }

    @Test func severalRunsOnOneDay() throws {
        #expect(try twice("0 */6 * * *"))
        #expect(try twice("@hourly"))
        #expect(try twice("@every 23h"))
        #expect(try twice("0 0 1,2 * *") == false)
        #expect(try twice("@daily") == false)
        #expect(try twice("30 2 * * 1-5") == false)
        #expect(try twice("@every 24h") == false)
    }

    @Test func warningsFollowTheSettings() throws {
        var configuration = BackupConfiguration(cronSchedule: "@every 500ms")
        let schedule = try CronSchedule(parsing: configuration.cronSchedule)
        let warnings = ScheduleWarnings.warnings(for: schedule, configuration: configuration, now: now)
        #expect(warnings.count == 2)
        #expect(warnings.first == "cron_schedule \"@every 500ms\" is an @every under a second, which runs every second")
        configuration.runFolders = true
        #expect(ScheduleWarnings.warnings(for: schedule, configuration: configuration, now: now).count == 1)
        configuration.cronSchedule = "@every 1s"
        #expect(ScheduleWarnings.warnings(for: try CronSchedule(parsing: "@every 1s"), configuration: configuration, now: now).isEmpty)
    }

    @Test func aSplayLongerThanTheIntervalIsFlagged() throws {
        var configuration = BackupConfiguration(cronSchedule: "@hourly")
        configuration.runFolders = true
        configuration.politeness.splaySeconds = 7200
        let schedule = try CronSchedule(parsing: "@hourly")
        #expect(ScheduleWarnings.warnings(for: schedule, configuration: configuration, now: now) == [
            "splay_seconds 7200 is longer than the 3600 s between fire times of cron_schedule \"@hourly\": "
                + "the daemon skips the fire times that pass while it waits",
        ])
        configuration.politeness.splaySeconds = 600
        #expect(ScheduleWarnings.warnings(for: schedule, configuration: configuration, now: now).isEmpty)
    }
}

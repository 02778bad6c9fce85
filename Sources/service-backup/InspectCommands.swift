import ArgumentParser
import Cron
import Foundation
import Manifest
import ServiceBackup

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a manifest: exit 0 with a summary (and warnings on stderr), or 2 with the error."
    )

    @Argument(help: "The manifest to check.")
    var config: String

    func run() async throws {
        let service = try loadService(config)
        let configuration = service.configuration
        for warning in service.warnings { printError("warning: \(warning)") }
        print("\(config): valid")
        print("source folder: \(configuration.sourceFolder.isEmpty ? "(none)" : configuration.sourceFolder)")
        configuration.summaryLines.forEach { print($0) }
        configuration.politenessLines.forEach { print($0) }
        for destination in service.destinations {
            for note in await destination.store.validationNotes() { print(note) }
        }
        let status = service.statusRecorder
        print("status file: \(status.location.path)")
        print("metrics file: \(status.metricsFile ?? "(none)")")
        configuration.alertsSummaryLines.forEach { print($0) }
        if let schedule = service.schedule {
            print("schedule: \(configuration.cronSchedule)")
            if let next = schedule.next(after: Date()) {
                print("next backup: \(RFC3339.format(next, in: schedule.timeZone))")
            }
        }
    }
}

struct NextRunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "next-runs",
        abstract: "Print the next fire times of a cron expression, as the daemon computes them."
    )

    @Argument(help: "A cron expression: 5 or 6 fields, a descriptor such as @daily, or @every <duration>; CRON_TZ= or TZ= may lead.")
    var expression: String

    @Option(help: "Times strictly after this RFC 3339 time (default: now).")
    var from: String?

    @Option(help: "How many times to print.")
    var count: Int = 5

    @Option(help: "IANA time zone to compute and print in (default: the local zone).")
    var timezone: String?

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be at least 1") }
    }

    func run() throws {
        var zone = TimeZone.current
        if let timezone {
            guard let named = TimeZone(identifier: timezone) else {
                printError("unknown time zone: \(timezone)")
                throw ExitStatus.failure
            }
            zone = named
        }
        var start = Date()
        if let from {
            guard let parsed = RFC3339.parse(from) else {
                printError("--from is not an RFC 3339 time: \(from)")
                throw ExitStatus.failure
            }
            start = parsed
        }
        let schedule: CronSchedule
        do {
            schedule = try CronSchedule(parsing: expression, defaultTimeZone: zone)
        } catch {
            printError("invalid cron expression \"\(expression)\": \(error)")
            throw ExitStatus.failure
        }
        let times = schedule.nextTimes(after: start, count: count)
        times.forEach { print(RFC3339.format($0, in: schedule.timeZone)) }
        guard times.count == count else {
            let last = times.last ?? start
            printError("cron expression \"\(expression)\" never fires within five years of \(RFC3339.format(last, in: schedule.timeZone))")
            throw ExitStatus.failure
        }
    }
}

enum RFC3339 {
    static func format(_ date: Date, in zone: TimeZone) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}

import Foundation

/// A robfig/cron v3 schedule: 5 fields (minute hour day-of-month month day-of-week) or 6 with
/// leading seconds; names, ranges, steps, lists, `*` and `?`; the descriptors `@yearly`
/// `@annually` `@monthly` `@weekly` `@daily` `@midnight` `@hourly` and `@every <Go duration>`;
/// an optional `CRON_TZ=Zone ` or `TZ=Zone ` prefix. Next fire times are robfig's, DST included.
public struct CronSchedule: Sendable {
    /// The expression as given.
    public let expression: String
    /// The zone the schedule is computed in: the prefix's zone, else the default zone.
    public let timeZone: TimeZone

    private let schedule: CronParser.Parsed

    public init(parsing expression: String, defaultTimeZone: TimeZone = .current) throws {
        let parsed = try CronParser.parse(expression, defaultTimeZone: defaultTimeZone)
        self.expression = expression
        self.timeZone = parsed.timeZone
        self.schedule = parsed.schedule
    }

    /// The first fire time strictly after `date`, or nil when robfig finds none within five
    /// years (such as `0 0 30 2 *`).
    public func next(after date: Date) -> Date? {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 1e15 else { return nil }
        switch schedule {
        case .every(let every):
            return Date(timeIntervalSince1970: every.next(after: seconds))
        case .spec(let spec):
            let start = Int64(seconds.rounded(.down))
            return spec.next(after: start, on: ZonedClock(zone: timeZone))
                .map { Date(timeIntervalSince1970: Double($0)) }
        }
    }

    /// Up to `count` fire times, each strictly after the one before, starting after `date`;
    /// fewer when the schedule runs out.
    public func nextTimes(after date: Date, count: Int) -> [Date] {
        var times: [Date] = []
        var last = date
        while times.count < count, let time = next(after: last) {
            times.append(time)
            last = time
        }
        return times
    }

    /// Whether this is an `@every` schedule whose duration is under a second: robfig (and this) runs it every second.
    public var isEveryUnderOneSecond: Bool {
        if case .every(let every) = schedule { return every.raisedToOneSecond }
        return false
    }

    /// Whether this is an `@every` schedule, which counts from each start rather than the clock.
    public var isConstantDelay: Bool {
        if case .every = schedule { return true }
        return false
    }
}

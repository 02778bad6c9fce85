import Foundation

/// The wall clock of one time zone, with instants as whole Unix seconds.
///
/// robfig/cron walks wall-clock fields with Go's `time` package, so this reproduces Go's rules
/// rather than `Calendar`'s: offsets come from the zone's data, and `instant(…)` resolves wall
/// times the way Go's `time.Date` does (out-of-range fields carry over; a time in a gap or an
/// overlap takes the offset found at "the wall time read as UTC, moved by that offset").
struct ZonedClock: Sendable {
    let zone: TimeZone

    /// A moment read off the wall clock.
    struct Reading: Equatable, Sendable {
        var year: Int64
        var month: Int64
        var day: Int64
        var hour: Int64
        var minute: Int64
        var second: Int64
        /// 0 = Sunday … 6 = Saturday.
        var weekday: Int64
    }

    func offset(at instant: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))))
    }

    func reading(at instant: Int64) -> Reading {
        let wall = instant + offset(at: instant)
        let dayNumber = floorDivide(wall, 86_400)
        let secondOfDay = wall - dayNumber * 86_400
        let date = CivilCalendar.date(ofDay: dayNumber)
        return Reading(
            year: date.year, month: date.month, day: date.day,
            hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60,
            weekday: CivilCalendar.weekday(ofDay: dayNumber)
        )
    }

    /// Go's `time.Date(year, month, day, hour, minute, second, 0, zone)`.
    func instant(year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64) -> Int64 {
        let monthIndex = month - 1
        let normalizedYear = year + floorDivide(monthIndex, 12)
        let normalizedMonth = floorModulo(monthIndex, 12) + 1
        let dayNumber = CivilCalendar.dayNumber(year: normalizedYear, month: normalizedMonth, day: day)
        let wallAsUTC = dayNumber * 86_400 + hour * 3600 + minute * 60 + second
        // Go looks the offset up at the wall time taken as UTC; when the instant that offset
        // gives lies outside that offset's period it uses the offset found there instead. Both
        // cases come down to the offset in force at `wallAsUTC - firstGuess`.
        let firstGuess = offset(at: wallAsUTC)
        return wallAsUTC - offset(at: wallAsUTC - firstGuess)
    }

    /// Go's `t.AddDate(years, months, days)`: calendar arithmetic on the wall reading.
    func adding(years: Int64 = 0, months: Int64 = 0, days: Int64 = 0, to instant: Int64) -> Int64 {
        let now = reading(at: instant)
        return self.instant(
            year: now.year + years, month: now.month + months, day: now.day + days,
            hour: now.hour, minute: now.minute, second: now.second
        )
    }
}

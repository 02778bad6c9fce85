/// A crontab schedule as six bit sets, and robfig/cron v3's `SpecSchedule.Next`.
struct SpecSchedule: Equatable, Sendable {
    var second: FieldBits
    var minute: FieldBits
    var hour: FieldBits
    var dayOfMonth: FieldBits
    var month: FieldBits
    var dayOfWeek: FieldBits

    /// The first activation strictly after the whole second `start` (Unix seconds), on the wall
    /// clock of `clock`; nil when none is found before robfig's five-year limit.
    ///
    /// The walk is robfig's: fix the month, then the day, hour, minute and second, each by
    /// stepping forward and starting over whenever a larger field rolls over. Months and days
    /// step in calendar terms (Go's `AddDate`); hours, minutes and seconds step in elapsed time,
    /// which is what skips a wall time in the spring-forward gap and repeats one in the
    /// fall-back overlap.
    func next(after start: Int64, on clock: ZonedClock) -> Int64? {
        // robfig would search the full five years and then give up; the answer is the same.
        if second.isEmpty || minute.isEmpty || hour.isEmpty || month.isEmpty { return nil }

        var time = start + 1
        var added = false
        let yearLimit = clock.reading(at: time).year + 5

        wrap: while true {
            var now = clock.reading(at: time)
            if now.year > yearLimit { return nil }

            while !month.contains(now.month) {
                if !added {
                    added = true
                    time = clock.instant(year: now.year, month: now.month, day: 1, hour: 0, minute: 0, second: 0)
                }
                time = advance(time, by: { clock.adding(months: $0, to: $1) })
                now = clock.reading(at: time)
                if now.month == 1 { continue wrap }
            }

            while !dayMatches(now) {
                if !added {
                    added = true
                    time = clock.instant(year: now.year, month: now.month, day: now.day, hour: 0, minute: 0, second: 0)
                }
                time = advance(time, by: { clock.adding(days: $0, to: $1) })
                now = clock.reading(at: time)
                // Midnight may not exist (a DST change at midnight): get back onto hour 0.
                if now.hour != 0 {
                    time += now.hour > 12 ? (24 - now.hour) * 3600 : -now.hour * 3600
                    now = clock.reading(at: time)
                }
                if now.day == 1 { continue wrap }
            }

            while !hour.contains(now.hour) {
                if !added {
                    added = true
                    time = clock.instant(
                        year: now.year, month: now.month, day: now.day, hour: now.hour, minute: 0, second: 0
                    )
                }
                time += 3600
                now = clock.reading(at: time)
                if now.hour == 0 { continue wrap }
            }

            while !minute.contains(now.minute) {
                if !added {
                    added = true
                    time = floorDivide(time, 60) * 60
                }
                time += 60
                now = clock.reading(at: time)
                if now.minute == 0 { continue wrap }
            }

            while !second.contains(now.second) {
                added = true
                time += 1
                now = clock.reading(at: time)
                if now.second == 0 { continue wrap }
            }

            return time
        }
    }

    /// One calendar step forward (Go's `AddDate`). Where a whole day is missing from the zone
    /// (Pacific/Apia skipped 30 December 2011) Go lands back on the same instant and robfig
    /// loops forever; here the step grows until time moves on.
    private func advance(_ time: Int64, by step: (Int64, Int64) -> Int64) -> Int64 {
        var units: Int64 = 1
        var next = step(units, time)
        while next <= time {
            units += 1
            next = step(units, time)
        }
        return next
    }

    /// Day of month and day of week must both match when either is starred; otherwise either
    /// one matching is enough.
    func dayMatches(_ reading: ZonedClock.Reading) -> Bool {
        let dayOfMonthMatches = dayOfMonth.contains(reading.day)
        let dayOfWeekMatches = dayOfWeek.contains(reading.weekday)
        if dayOfMonth.isStarred || dayOfWeek.isStarred {
            return dayOfMonthMatches && dayOfWeekMatches
        }
        return dayOfMonthMatches || dayOfWeekMatches
    }
}

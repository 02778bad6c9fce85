import Foundation
import Testing
@testable import Cron

/// Daylight saving time: robfig's America/New_York and São Paulo cases, and Europe/London.
@Suite struct DaylightSavingTests {
    /// robfig's TestNext cases with zones (instants in robfig's layout, shown in New York).
    static let newYorkCases: [(time: String, spec: String, expected: String)] = [
        // 2am EST (-5) -> 3am EDT (-4): 02:30 on 11 March does not exist, next is a year later.
        ("2012-03-11T00:00:00-0500", "TZ=America/New_York 0 30 2 11 Mar ?", "2013-03-11T02:30:00-0400"),
        // Hourly job.
        ("2012-03-11T00:00:00-0500", "TZ=America/New_York 0 0 * * * ?", "2012-03-11T01:00:00-0500"),
        ("2012-03-11T01:00:00-0500", "TZ=America/New_York 0 0 * * * ?", "2012-03-11T03:00:00-0400"),
        ("2012-03-11T03:00:00-0400", "TZ=America/New_York 0 0 * * * ?", "2012-03-11T04:00:00-0400"),
        ("2012-03-11T04:00:00-0400", "TZ=America/New_York 0 0 * * * ?", "2012-03-11T05:00:00-0400"),
        // Hourly job using CRON_TZ.
        ("2012-03-11T00:00:00-0500", "CRON_TZ=America/New_York 0 0 * * * ?", "2012-03-11T01:00:00-0500"),
        ("2012-03-11T01:00:00-0500", "CRON_TZ=America/New_York 0 0 * * * ?", "2012-03-11T03:00:00-0400"),
        ("2012-03-11T03:00:00-0400", "CRON_TZ=America/New_York 0 0 * * * ?", "2012-03-11T04:00:00-0400"),
        ("2012-03-11T04:00:00-0400", "CRON_TZ=America/New_York 0 0 * * * ?", "2012-03-11T05:00:00-0400"),
        // 1am nightly job.
        ("2012-03-11T00:00:00-0500", "TZ=America/New_York 0 0 1 * * ?", "2012-03-11T01:00:00-0500"),
        ("2012-03-11T01:00:00-0500", "TZ=America/New_York 0 0 1 * * ?", "2012-03-12T01:00:00-0400"),
        // 2am nightly job (skipped).
        ("2012-03-11T00:00:00-0500", "TZ=America/New_York 0 0 2 * * ?", "2012-03-12T02:00:00-0400"),
        // 2am EDT (-4) -> 1am EST (-5).
        ("2012-11-04T00:00:00-0400", "TZ=America/New_York 0 30 2 04 Nov ?", "2012-11-04T02:30:00-0500"),
        ("2012-11-04T01:45:00-0400", "TZ=America/New_York 0 30 1 04 Nov ?", "2012-11-04T01:30:00-0500"),
        // Hourly job.
        ("2012-11-04T00:00:00-0400", "TZ=America/New_York 0 0 * * * ?", "2012-11-04T01:00:00-0400"),
        ("2012-11-04T01:00:00-0400", "TZ=America/New_York 0 0 * * * ?", "2012-11-04T01:00:00-0500"),
        ("2012-11-04T01:00:00-0500", "TZ=America/New_York 0 0 * * * ?", "2012-11-04T02:00:00-0500"),
        // 1am nightly job (runs twice).
        ("2012-11-04T00:00:00-0400", "TZ=America/New_York 0 0 1 * * ?", "2012-11-04T01:00:00-0400"),
        ("2012-11-04T01:00:00-0400", "TZ=America/New_York 0 0 1 * * ?", "2012-11-04T01:00:00-0500"),
        ("2012-11-04T01:00:00-0500", "TZ=America/New_York 0 0 1 * * ?", "2012-11-05T01:00:00-0500"),
        // 2am nightly job.
        ("2012-11-04T00:00:00-0400", "TZ=America/New_York 0 0 2 * * ?", "2012-11-04T02:00:00-0500"),
        ("2012-11-04T02:00:00-0500", "TZ=America/New_York 0 0 2 * * ?", "2012-11-05T02:00:00-0500"),
        // 3am nightly job.
        ("2012-11-04T00:00:00-0400", "TZ=America/New_York 0 0 3 * * ?", "2012-11-04T03:00:00-0500"),
        ("2012-11-04T03:00:00-0500", "TZ=America/New_York 0 0 3 * * ?", "2012-11-05T03:00:00-0500"),
        // The zone as the default zone rather than a prefix.
        ("2012-11-04T00:00:00-0400", "0 0 * * * ?", "2012-11-04T01:00:00-0400"),
        ("2012-11-04T01:00:00-0400", "0 0 * * * ?", "2012-11-04T01:00:00-0500"),
        ("2012-11-04T01:00:00-0500", "0 0 * * * ?", "2012-11-04T02:00:00-0500"),
        ("2012-11-04T00:00:00-0400", "0 0 1 * * ?", "2012-11-04T01:00:00-0400"),
        ("2012-11-04T01:00:00-0400", "0 0 1 * * ?", "2012-11-04T01:00:00-0500"),
        ("2012-11-04T01:00:00-0500", "0 0 1 * * ?", "2012-11-05T01:00:00-0500"),
        ("2012-11-04T00:00:00-0400", "0 0 2 * * ?", "2012-11-04T02:00:00-0500"),
        ("2012-11-04T02:00:00-0500", "0 0 2 * * ?", "2012-11-05T02:00:00-0500"),
        ("2012-11-04T00:00:00-0400", "0 0 3 * * ?", "2012-11-04T03:00:00-0500"),
        ("2012-11-04T03:00:00-0500", "0 0 3 * * ?", "2012-11-05T03:00:00-0500"),
        // Monthly job.
        ("2012-11-04T00:00:00-0400", "0 0 3 3 * ?", "2012-12-03T03:00:00-0500"),
        // Midnight does not exist in São Paulo on the DST change (robfig issue 157).
        ("2018-10-17T05:00:00-0400", "TZ=America/Sao_Paulo 0 0 9 10 * ?", "2018-11-10T06:00:00-0500"),
        ("2018-02-14T05:00:00-0500", "TZ=America/Sao_Paulo 0 0 9 22 * ?", "2018-02-22T07:00:00-0500"),
        // Daily 02:30 (5 fields): skipped on the spring-forward day.
        ("2012-03-10T12:00:00-0500", "30 2 * * *", "2012-03-12T02:30:00-0400"),
    ]

    @Test(arguments: newYorkCases)
    func newYorkFireTimes(_ example: (time: String, spec: String, expected: String)) throws {
        let next = try schedule(example.spec, in: newYork).next(after: instant(example.time))
        #expect(next.map { rfc3339($0, in: newYork) } == rfc3339(instant(example.expected), in: newYork))
    }

    /// Europe/London: clocks go 01:00 GMT -> 02:00 BST on the last Sunday of March and
    /// 02:00 BST -> 01:00 GMT on the last Sunday of October.
    static let londonCases: [(spec: String, after: String, expected: [String])] = [
        // A daily 01:30 job does not run on the spring-forward day…
        ("30 1 * * *", "2012-03-24T12:00:00+0000", ["2012-03-26T01:30:00+0100", "2012-03-27T01:30:00+0100"]),
        ("30 1 * * *", "2024-03-30T12:00:00+0000", ["2024-04-01T01:30:00+0100"]),
        // …and runs once per offset on the fall-back day.
        ("30 1 * * *", "2012-10-27T12:00:00+0100",
         ["2012-10-28T01:30:00+0100", "2012-10-28T01:30:00+0000", "2012-10-29T01:30:00+0000"]),
        ("CRON_TZ=Europe/London 0 30 1 * * *", "2024-10-26T12:00:00+0100",
         ["2024-10-27T01:30:00+0100", "2024-10-27T01:30:00+0000", "2024-10-28T01:30:00+0000"]),
        // Hourly across both changes.
        ("0 * * * *", "2024-03-31T00:00:00+0000",
         ["2024-03-31T02:00:00+0100", "2024-03-31T03:00:00+0100"]),
        ("@hourly", "2024-10-27T00:00:00+0100",
         ["2024-10-27T01:00:00+0100", "2024-10-27T01:00:00+0000", "2024-10-27T02:00:00+0000"]),
        // Every 20 minutes through the repeated hour.
        ("*/20 1 27 10 *", "2024-10-27T00:59:00+0100",
         ["2024-10-27T01:00:00+0100", "2024-10-27T01:20:00+0100", "2024-10-27T01:40:00+0100",
          "2024-10-27T01:00:00+0000", "2024-10-27T01:20:00+0000", "2024-10-27T01:40:00+0000",
          "2025-10-27T01:00:00+0000"]),
        // Midnight and 02:00 jobs are unaffected on both days.
        ("@daily", "2024-03-30T12:00:00+0000", ["2024-03-31T00:00:00+0000", "2024-04-01T00:00:00+0100"]),
        ("0 2 * * *", "2024-10-26T12:00:00+0100", ["2024-10-27T02:00:00+0000", "2024-10-28T02:00:00+0000"]),
    ]

    @Test(arguments: londonCases)
    func londonFireTimes(_ example: (spec: String, after: String, expected: [String])) throws {
        let times = try schedule(example.spec, in: london)
            .nextTimes(after: instant(example.after), count: example.expected.count)
        #expect(times.map { rfc3339($0, in: london) } == example.expected)
    }

    @Test func missingDayDoesNotHang() throws {
        // Samoa skipped 30 December 2011 (UTC-10 to UTC+14); robfig's own Next never returns here.
        let apia = zone("Pacific/Apia")
        let times = try schedule("0 12 31 12 *", in: apia).nextTimes(after: instant("2011-12-29T00:00:00-1000"), count: 2)
        #expect(times.map { rfc3339($0, in: apia) } == ["2011-12-31T12:00:00+1400", "2012-12-31T12:00:00+1400"])
        let daily = try schedule("@daily", in: apia).nextTimes(after: instant("2011-12-29T12:00:00-1000"), count: 2)
        #expect(daily.map { rfc3339($0, in: apia) } == ["2011-12-31T00:00:00+1400", "2012-01-01T00:00:00+1400"])
    }

    @Test func prefixZoneOverridesDefaultZone() throws {
        let tokyo = try schedule("TZ=Asia/Tokyo @midnight", in: newYork)
        #expect(tokyo.timeZone.identifier == "Asia/Tokyo")
        #expect(tokyo.next(after: instant("2024-06-01T12:00:00+0000")) == instant("2024-06-02T00:00:00+0900"))
    }
}

/// Go's `time.Date` normalisation, which robfig's walk relies on.
@Suite struct ZonedClockTests {
    @Test func wallTimeInSpringGapResolvesLikeGo() {
        // Go reads the wall time as UTC, takes the offset there, and then the offset in force
        // at the instant that gives: New York (west of UTC) lands before the gap, London after.
        let newYorkClock = ZonedClock(zone: newYork)
        let londonClock = ZonedClock(zone: london)
        let inNewYork = newYorkClock.instant(year: 2012, month: 3, day: 11, hour: 2, minute: 30, second: 0)
        #expect(inNewYork == Int64(instant("2012-03-11T01:30:00-0500").timeIntervalSince1970))
        let inLondon = londonClock.instant(year: 2012, month: 3, day: 25, hour: 1, minute: 30, second: 0)
        #expect(inLondon == Int64(instant("2012-03-25T02:30:00+0100").timeIntervalSince1970))
    }

    @Test func wallTimeInFallBackOverlapResolvesLikeGo() {
        let inNewYork = ZonedClock(zone: newYork).instant(year: 2012, month: 11, day: 4, hour: 1, minute: 30, second: 0)
        #expect(inNewYork == Int64(instant("2012-11-04T01:30:00-0400").timeIntervalSince1970))
        let inLondon = ZonedClock(zone: london).instant(year: 2012, month: 10, day: 28, hour: 1, minute: 30, second: 0)
        #expect(inLondon == Int64(instant("2012-10-28T01:30:00+0000").timeIntervalSince1970))
    }

    @Test func outOfRangeFieldsCarryOver() {
        let clock = ZonedClock(zone: utc)
        func date(_ y: Int64, _ m: Int64, _ d: Int64) -> Int64 {
            clock.instant(year: y, month: m, day: d, hour: 0, minute: 0, second: 0)
        }
        #expect(date(2012, 13, 1) == date(2013, 1, 1))
        #expect(date(2012, 0, 1) == date(2011, 12, 1))
        #expect(date(2013, 2, 30) == date(2013, 3, 2))
        #expect(date(2012, 2, 30) == date(2012, 3, 1))
        #expect(date(2012, 12, 32) == date(2013, 1, 1))
        #expect(clock.instant(year: 2012, month: 1, day: 1, hour: 24, minute: 0, second: 0) == date(2012, 1, 2))
    }

    @Test func readingGivesWallClockAndWeekday() {
        let reading = ZonedClock(zone: newYork).reading(at: Int64(instant("2012-11-04T06:30:15Z").timeIntervalSince1970))
        #expect(reading == ZonedClock.Reading(year: 2012, month: 11, day: 4, hour: 1, minute: 30, second: 15, weekday: 0))
        let beforeEpoch = ZonedClock(zone: utc).reading(at: -1)
        #expect(beforeEpoch == ZonedClock.Reading(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59, weekday: 3))
        let leapDay = ZonedClock(zone: utc).reading(at: Int64(instant("2000-02-29T12:00:00Z").timeIntervalSince1970))
        #expect(leapDay.month == 2 && leapDay.day == 29 && leapDay.weekday == 2)
    }
}

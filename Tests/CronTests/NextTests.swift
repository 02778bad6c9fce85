import Foundation
import Testing
@testable import Cron

/// robfig's TestNext without time zones: wrap-arounds of every field, leap years, the limit.
@Suite struct NextTests {
    static let cases: [(time: String, spec: String, expected: String)] = [
        // Simple cases.
        ("Mon Jul 9 14:45 2012", "0 0/15 * * * *", "Mon Jul 9 15:00 2012"),
        ("Mon Jul 9 14:59 2012", "0 0/15 * * * *", "Mon Jul 9 15:00 2012"),
        ("Mon Jul 9 14:59:59 2012", "0 0/15 * * * *", "Mon Jul 9 15:00 2012"),
        // Wrap around hours.
        ("Mon Jul 9 15:45 2012", "0 20-35/15 * * * *", "Mon Jul 9 16:20 2012"),
        // Wrap around days.
        ("Mon Jul 9 23:46 2012", "0 */15 * * * *", "Tue Jul 10 00:00 2012"),
        ("Mon Jul 9 23:45 2012", "0 20-35/15 * * * *", "Tue Jul 10 00:20 2012"),
        ("Mon Jul 9 23:35:51 2012", "15/35 20-35/15 * * * *", "Tue Jul 10 00:20:15 2012"),
        ("Mon Jul 9 23:35:51 2012", "15/35 20-35/15 1/2 * * *", "Tue Jul 10 01:20:15 2012"),
        ("Mon Jul 9 23:35:51 2012", "15/35 20-35/15 10-12 * * *", "Tue Jul 10 10:20:15 2012"),
        ("Mon Jul 9 23:35:51 2012", "15/35 20-35/15 1/2 */2 * *", "Thu Jul 11 01:20:15 2012"),
        ("Mon Jul 9 23:35:51 2012", "15/35 20-35/15 * 9-20 * *", "Wed Jul 10 00:20:15 2012"),
        ("Mon Jul 9 23:35:51 2012", "15/35 20-35/15 * 9-20 Jul *", "Wed Jul 10 00:20:15 2012"),
        // Wrap around months.
        ("Mon Jul 9 23:35 2012", "0 0 0 9 Apr-Oct ?", "Thu Aug 9 00:00 2012"),
        ("Mon Jul 9 23:35 2012", "0 0 0 */5 Apr,Aug,Oct Mon", "Tue Aug 1 00:00 2012"),
        ("Mon Jul 9 23:35 2012", "0 0 0 */5 Oct Mon", "Mon Oct 1 00:00 2012"),
        // Wrap around years.
        ("Mon Jul 9 23:35 2012", "0 0 0 * Feb Mon", "Mon Feb 4 00:00 2013"),
        ("Mon Jul 9 23:35 2012", "0 0 0 * Feb Mon/2", "Fri Feb 1 00:00 2013"),
        // Wrap around minute, hour, day, month, and year.
        ("Mon Dec 31 23:59:45 2012", "0 * * * * *", "Tue Jan 1 00:00:00 2013"),
        // Leap year.
        ("Mon Jul 9 23:35 2012", "0 0 0 29 Feb ?", "Mon Feb 29 00:00 2016"),
        // Names in any case, 5 fields meaning second 0.
        ("Mon Jul 9 23:35 2012", "0 12 * jUl-AUG sat", "Sat Jul 14 12:00 2012"),
        ("Mon Jul 9 23:35 2012", "0 12 * * MON-wed", "Tue Jul 10 12:00 2012"),
        ("Mon Jul 9 23:35 2012", "0 12 1 DEC *", "Sat Dec 1 12:00 2012"),
    ]

    @Test(arguments: cases, ["UTC", "America/New_York", "Australia/Sydney"])
    func nextFireTime(_ example: (time: String, spec: String, expected: String), zoneName: String) throws {
        let timeZone = zone(zoneName)
        let next = try schedule(example.spec, in: timeZone).next(after: wallTime(example.time, in: timeZone))
        #expect(next == wallTime(example.expected, in: timeZone))
    }

    @Test(arguments: ["0 0 0 30 Feb ?", "0 0 0 31 Apr ?", "0 0 30 2 *", "0 0 31 6,9,11 *", "0 0 31 2 ?"])
    func unsatisfiableScheduleNeverFires(_ spec: String) throws {
        #expect(try schedule(spec).next(after: wallTime("Mon Jul 9 23:35 2012", in: utc)) == nil)
    }

    @Test func fiveYearLimitIsRobfigs() throws {
        // The limit is the start's year plus five: a Feb 29 in 2104 (2100 is no leap year)
        // is found from 2099 but not from the last second of 2098.
        let leapDay = try schedule("0 0 29 2 *")
        #expect(leapDay.next(after: instant("2099-01-01T00:00:00Z")) == instant("2104-02-29T00:00:00Z"))
        #expect(leapDay.next(after: instant("2098-12-31T23:59:58Z")) == nil)
        #expect(leapDay.next(after: instant("2096-03-01T00:00:00Z")) == nil)
    }

    @Test func emptyListNeverFires() throws {
        #expect(try schedule(", * * * *").next(after: instant("2024-01-01T00:00:00Z")) == nil)
        #expect(try schedule("0 0 , * ?").next(after: instant("2024-01-01T00:00:00Z")) == nil)
    }

    @Test func nextIsStrictlyAfterAndDropsFractions() throws {
        let everyMinute = try schedule("* * * * *")
        #expect(everyMinute.next(after: instant("2024-05-01T10:00:00Z")) == instant("2024-05-01T10:01:00Z"))
        let fraction = instant("2024-05-01T10:00:59Z").addingTimeInterval(0.75)
        #expect(everyMinute.next(after: fraction) == instant("2024-05-01T10:01:00Z"))
        let everySecond = try schedule("* * * * * *")
        #expect(everySecond.next(after: fraction) == instant("2024-05-01T10:01:00Z"))
        #expect(everySecond.next(after: instant("2024-05-01T10:00:00Z")) == instant("2024-05-01T10:00:01Z"))
    }

    @Test func nextTimesListsConsecutiveFireTimes() throws {
        let times = try schedule("0 */6 * * *").nextTimes(after: instant("2024-02-28T20:00:00Z"), count: 4)
        #expect(times == [
            instant("2024-02-29T00:00:00Z"), instant("2024-02-29T06:00:00Z"),
            instant("2024-02-29T12:00:00Z"), instant("2024-02-29T18:00:00Z"),
        ])
        #expect(try schedule("0 0 30 2 *").nextTimes(after: instant("2024-01-01T00:00:00Z"), count: 3).isEmpty)
        #expect(try schedule("@daily").nextTimes(after: instant("2024-01-01T00:00:00Z"), count: 0).isEmpty)
    }
}

import Foundation
import Testing
@testable import Cron

/// Day of month and day of week: OR when both are restricted, AND when either is `*` or `?`
/// (with step 1, so `*/1` counts as a star and `*/2` or `1-31` as restricted).
@Suite struct DayRuleTests {
    /// Fire dates in January 2024 (1 January 2024 was a Monday).
    static func januaryDates(_ expression: String) throws -> [Int] {
        let start = instant("2023-12-31T23:59:59Z")
        return try schedule(expression).nextTimes(after: start, count: 40)
            .filter { $0 < instant("2024-02-01T00:00:00Z") }
            .map { ZonedClock(zone: utc).reading(at: Int64($0.timeIntervalSince1970)).day }
            .map { Int($0) }
    }

    static let mondays = [1, 8, 15, 22, 29]

    @Test func bothRestrictedFiresOnEither() throws {
        #expect(try Self.januaryDates("0 0 1 * MON") == [1, 8, 15, 22, 29])
        #expect(try Self.januaryDates("0 0 2 * MON") == [1, 2, 8, 15, 22, 29])
        #expect(try Self.januaryDates("0 0 10,20 * SUN") == [7, 10, 14, 20, 21, 28])
    }

    @Test func starredDayOfMonthNeedsTheWeekday() throws {
        for expression in ["0 0 * * MON", "0 0 ? * MON", "0 0 */1 * MON", "0 0 ?/1 * mon"] {
            #expect(try Self.januaryDates(expression) == Self.mondays, "\(expression)")
        }
    }

    @Test func starredDayOfWeekNeedsTheDayOfMonth() throws {
        #expect(try Self.januaryDates("0 0 2,9 * *") == [2, 9])
        #expect(try Self.januaryDates("0 0 2,9 * */1") == [2, 9])
        #expect(try Self.januaryDates("0 0 2,9 * ?") == [2, 9])
    }

    @Test func steppedOrRangedStarIsRestricted() throws {
        // `1-31` and `*/2` do not count as stars, so a weekday widens them.
        #expect(try Self.januaryDates("0 0 1-31 * MON") == Array(1...31))
        #expect(try Self.januaryDates("0 0 */2 * MON") == [1, 3, 5, 7, 8, 9, 11, 13, 15, 17, 19, 21, 22, 23, 25, 27, 29, 31])
        #expect(try Self.januaryDates("0 0 2 * */3") == [2, 3, 6, 7, 10, 13, 14, 17, 20, 21, 24, 27, 28, 31])
        #expect(try Self.januaryDates("0 0 2 * 0-6") == Array(1...31))
    }
}

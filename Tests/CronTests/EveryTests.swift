import Foundation
import Testing
@testable import Cron

/// `@every <Go duration>`: robfig's ConstantDelaySchedule over Go's ParseDuration.
@Suite struct EveryTests {
    static let durations: [(text: String, nanoseconds: Int64)] = [
        ("0", 0),
        ("-0", 0),
        ("5s", 5_000_000_000),
        ("30s", 30_000_000_000),
        ("1478s", 1_478_000_000_000),
        ("-5s", -5_000_000_000),
        ("+5s", 5_000_000_000),
        ("5.0s", 5_000_000_000),
        ("5.6s", 5_600_000_000),
        ("5.s", 5_000_000_000),
        (".5s", 500_000_000),
        ("1.004s", 1_004_000_000),
        ("100.00100s", 100_001_000_000),
        ("10ns", 10),
        ("11us", 11_000),
        ("12µs", 12_000),
        ("12μs", 12_000),
        ("13ms", 13_000_000),
        ("14s", 14_000_000_000),
        ("15m", 900_000_000_000),
        ("16h", 57_600_000_000_000),
        ("3h30m", 12_600_000_000_000),
        ("10.5s4m", 250_500_000_000),
        ("-2m3.4s", -123_400_000_000),
        ("1h2m3s4ms5us6ns", 3_723_004_005_006),
        ("39h9m14.425s", 140_954_425_000_000),
        ("52763797000ns", 52_763_797_000),
        ("0.3333333333333333333h", 1_200_000_000_000),
        ("9007199254740993ns", 9_007_199_254_740_993),
        ("9223372036854775807ns", Int64.max),
        ("-9223372036854775808ns", Int64.min),
        ("1.5h", 5_400_000_000_000),
        ("1h30m", 5_400_000_000_000),
    ]

    @Test(arguments: durations)
    func goDurations(_ example: (text: String, nanoseconds: Int64)) throws {
        #expect(try GoDuration.parse(example.text) == example.nanoseconds)
    }

    @Test(arguments: ["", "3", "-", "s", ".", "-.", ".s", "+.s", "1d", "1.1.1s", "9223372036854775808ns", "3000000h"])
    func invalidGoDurations(_ text: String) {
        #expect(throws: GoDuration.ParseError.self) { try GoDuration.parse(text) }
    }

    static let delays: [(expression: String, seconds: Int64)] = [
        ("@every 5m", 300),
        ("@every 1h30m", 5400),
        ("@every 1.5h", 5400),
        ("@every 500ms", 1),
        ("@every 300ms", 1),
        ("@every 2us", 1),
        ("@every 2µs", 1),
        ("@every 0", 1),
        ("@every -1h", 1),
        ("@every 1.9s", 1),
        ("@every 61.999s", 61),
        ("TZ=Asia/Tokyo @every 10s", 10),
    ]

    @Test(arguments: delays)
    func delayIsWholeSecondsAndAtLeastOne(_ example: (expression: String, seconds: Int64)) throws {
        let parsed = try CronParser.parse(example.expression, defaultTimeZone: utc)
        #expect(parsed.schedule == .every(EverySchedule(nanoseconds: example.seconds * 1_000_000_000)))
        let every = try schedule(example.expression)
        #expect(every.isConstantDelay)
        let start = instant("2024-01-01T00:00:00Z")
        #expect(every.next(after: start) == start.addingTimeInterval(TimeInterval(example.seconds)))
    }

    @Test func nextDropsTheFractionOfTheStart() throws {
        let every = try schedule("@every 500ms")
        let start = instant("2024-01-01T00:00:00Z").addingTimeInterval(0.7)
        #expect(every.next(after: start) == instant("2024-01-01T00:00:01Z"))
        let times = try schedule("@every 1m").nextTimes(after: start, count: 3)
        #expect(times == [instant("2024-01-01T00:01:00Z"), instant("2024-01-01T00:02:00Z"), instant("2024-01-01T00:03:00Z")])
        #expect(try !schedule("@hourly").isConstantDelay)
    }
}

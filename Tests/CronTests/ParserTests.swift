import Foundation
import Testing
@testable import Cron

/// robfig's parser tests: ranges, fields, descriptors, prefixes, and the error texts.
@Suite struct ParserTests {
    static let star = FieldBits.starBit

    static let ranges: [(expression: String, lowest: UInt64, highest: UInt64, bits: UInt64)] = [
        ("5", 0, 7, 1 << 5),
        ("0", 0, 7, 1 << 0),
        ("7", 0, 7, 1 << 7),
        ("5-5", 0, 7, 1 << 5),
        ("5-6", 0, 7, 1 << 5 | 1 << 6),
        ("5-7", 0, 7, 1 << 5 | 1 << 6 | 1 << 7),
        ("5-6/2", 0, 7, 1 << 5),
        ("5-7/2", 0, 7, 1 << 5 | 1 << 7),
        ("5-7/1", 0, 7, 1 << 5 | 1 << 6 | 1 << 7),
        ("*", 1, 3, 1 << 1 | 1 << 2 | 1 << 3 | star),
        ("?", 1, 3, 1 << 1 | 1 << 2 | 1 << 3 | star),
        ("*/1", 1, 3, 1 << 1 | 1 << 2 | 1 << 3 | star),
        ("*/2", 1, 3, 1 << 1 | 1 << 3),
        ("1-3", 1, 3, 1 << 1 | 1 << 2 | 1 << 3),
        ("2/2", 0, 7, 1 << 2 | 1 << 4 | 1 << 6),
        ("*-9", 1, 3, 1 << 1 | 1 << 2 | 1 << 3 | star),
        ("+2", 0, 7, 1 << 2),
        ("007", 0, 7, 1 << 7),
    ]

    @Test(arguments: ranges)
    func rangeBits(_ example: (expression: String, lowest: UInt64, highest: UInt64, bits: UInt64)) throws {
        let bounds = FieldBounds(lowest: example.lowest, highest: example.highest, names: [:])
        #expect(try FieldParser.rangeBits(of: example.expression, within: bounds).rawValue == example.bits)
    }

    @Test func fieldIsTheUnionOfItsRanges() throws {
        let bounds = FieldBounds(lowest: 1, highest: 7, names: [:])
        #expect(try FieldParser.bits(of: "5,6,7", within: bounds).rawValue == 1 << 5 | 1 << 6 | 1 << 7)
        #expect(try FieldParser.bits(of: "1,5-7/2,3", within: bounds).rawValue == 1 << 1 | 1 << 5 | 1 << 7 | 1 << 3)
        #expect(try FieldParser.bits(of: "1,,3,", within: bounds).rawValue == 1 << 1 | 1 << 3)
        #expect(try FieldParser.bits(of: "jan,MAR-apr", within: .month).rawValue == 1 << 1 | 1 << 3 | 1 << 4)
        #expect(try FieldParser.bits(of: "Sun,sat", within: .dayOfWeek).rawValue == 1 << 0 | 1 << 6)
        #expect(try FieldParser.bits(of: "mon/2", within: .dayOfWeek).rawValue == 1 << 1 | 1 << 3 | 1 << 5)
    }

    @Test func allValuesOfEachField() {
        #expect(FieldBits.all(.minute).rawValue == 0xfff_ffff_ffff_ffff | Self.star)
        #expect(FieldBits.all(.hour).rawValue == 0xff_ffff | Self.star)
        #expect(FieldBits.all(.dayOfMonth).rawValue == 0xffff_fffe | Self.star)
        #expect(FieldBits.all(.month).rawValue == 0x1ffe | Self.star)
        #expect(FieldBits.all(.dayOfWeek).rawValue == 0x7f | Self.star)
        #expect(FieldBits(from: 1, through: 5, step: 2).rawValue == 0x2a)
        #expect(FieldBits(from: 1, through: 4, step: 2).rawValue == 0xa)
        #expect(FieldBits(from: 3, through: 59, step: UInt64(Int64.max)).rawValue == 1 << 3)
    }

    static func spec(_ expression: String, in timeZone: TimeZone = utc) throws -> SpecSchedule? {
        let parsed = try CronParser.parse(expression, defaultTimeZone: timeZone)
        if case .spec(let spec) = parsed.schedule { return spec }
        return nil
    }

    static let everyFiveMinutes = SpecSchedule(
        second: .only(0), minute: .only(5), hour: .all(.hour),
        dayOfMonth: .all(.dayOfMonth), month: .all(.month), dayOfWeek: .all(.dayOfWeek)
    )
    static let midnight = SpecSchedule(
        second: .only(0), minute: .only(0), hour: .only(0),
        dayOfMonth: .all(.dayOfMonth), month: .all(.month), dayOfWeek: .all(.dayOfWeek)
    )

    @Test func secondsAreOptional() throws {
        #expect(try Self.spec("0 5 * * * *") == Self.everyFiveMinutes)
        #expect(try Self.spec("5 * * * *") == Self.everyFiveMinutes)
        #expect(try Self.spec("\t5  *\n* * ?  ") == Self.everyFiveMinutes.with(dayOfWeek: .all(.dayOfWeek)))
        var everySecond = Self.everyFiveMinutes
        everySecond.second = .all(.second)
        #expect(try Self.spec("* 5 * * * *") == everySecond)
    }

    @Test func descriptors() throws {
        #expect(try Self.spec("@midnight") == Self.midnight)
        #expect(try Self.spec("@daily") == Self.midnight)
        let yearly = Self.midnight.with(dayOfMonth: .only(1), month: .only(1))
        #expect(try Self.spec("@yearly") == yearly)
        #expect(try Self.spec("@annually") == yearly)
        #expect(try Self.spec("@monthly") == Self.midnight.with(dayOfMonth: .only(1)))
        #expect(try Self.spec("@weekly") == Self.midnight.with(dayOfWeek: .only(0)))
        var hourly = Self.midnight
        hourly.hour = .all(.hour)
        #expect(try Self.spec("@hourly") == hourly)
    }

    @Test func timeZonePrefixes() throws {
        for expression in ["TZ=UTC  0 5 * * * *", "TZ=UTC  5 * * * *", "CRON_TZ=UTC 5 * * * *", "TZ= 5 * * * *"] {
            let parsed = try CronSchedule(parsing: expression, defaultTimeZone: newYork)
            #expect(parsed.timeZone.secondsFromGMT(for: instant("2024-07-01T00:00:00Z")) == 0, "\(expression)")
            #expect(try Self.spec(expression) == Self.everyFiveMinutes)
        }
        let tokyo = try CronSchedule(parsing: "TZ=Asia/Tokyo 0 5 * * * *", defaultTimeZone: utc)
        #expect(tokyo.timeZone.identifier == "Asia/Tokyo")
        #expect(tokyo.expression == "TZ=Asia/Tokyo 0 5 * * * *")
        #expect(try Self.spec("TZ=Asia/Tokyo @midnight") == Self.midnight)
        #expect(try CronSchedule(parsing: "CRON_TZ=Local @daily", defaultTimeZone: london).timeZone == london)
        #expect(try CronSchedule(parsing: "@daily", defaultTimeZone: london).timeZone == london)
    }

    static let errors: [(expression: String, message: String)] = [
        ("", "empty spec string"),
        ("* * * *", "expected 5 to 6 fields, found 4: [* * * *]"),
        ("0 0 0 0 0 0 0", "expected 5 to 6 fields, found 7: [0 0 0 0 0 0 0]"),
        ("   ", "expected 5 to 6 fields, found 0: []"),
        (" @daily", "expected 5 to 6 fields, found 1: [@daily]"),
        ("* 5 j * * *", #"failed to parse int from j: strconv.Atoi: parsing "j": invalid syntax"#),
        ("abc * * * *", #"failed to parse int from abc: strconv.Atoi: parsing "abc": invalid syntax"#),
        ("0-70 * * * *", "end of range (70) above maximum (59): 0-70"),
        ("60 0 * * *", "end of range (60) above maximum (59): 60"),
        ("0 60 * * *", "end of range (60) above maximum (23): 60"),
        ("0 0 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("0 0 * 13 *", "end of range (13) above maximum (12): 13"),
        ("0 0 * * 7", "end of range (7) above maximum (6): 7"),
        ("0 0 * * XYZ", #"failed to parse int from XYZ: strconv.Atoi: parsing "XYZ": invalid syntax"#),
        ("0 0 * JANU *", #"failed to parse int from JANU: strconv.Atoi: parsing "JANU": invalid syntax"#),
        ("0 0 * jan-x *", #"failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax"#),
        ("5--5 * * * *", "too many hyphens: 5--5"),
        ("*//2 * * * *", "too many slashes: *//2"),
        ("*/-12 * * * *", "negative number (-12) not allowed: -12"),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("5-3 * * * *", "beginning of range (5) beyond end of range (3): 5-3"),
        ("-5 * * * *", #"failed to parse int from : strconv.Atoi: parsing "": invalid syntax"#),
        ("*/ * * * *", #"failed to parse int from : strconv.Atoi: parsing "": invalid syntax"#),
        ("99999999999999999999 * * * *",
         #"failed to parse int from 99999999999999999999: strconv.Atoi: parsing "99999999999999999999": value out of range"#),
        ("1é * * * *", #"failed to parse int from 1é: strconv.Atoi: parsing "1é": invalid syntax"#),
        ("@foo", "unrecognized descriptor: @foo"),
        ("@Daily", "unrecognized descriptor: @Daily"),
        ("@every", "unrecognized descriptor: @every"),
        ("@daily ", "unrecognized descriptor: @daily "),
        ("@every Xm", #"failed to parse duration @every Xm: time: invalid duration "Xm""#),
        ("@every 5", #"failed to parse duration @every 5: time: missing unit in duration "5""#),
        ("@every 5x", #"failed to parse duration @every 5x: time: unknown unit "x" in duration "5x""#),
        ("@every ", #"failed to parse duration @every : time: invalid duration """#),
        ("@every  1h", #"failed to parse duration @every  1h: time: invalid duration " 1h""#),
        ("@every 1h é", #"failed to parse duration @every 1h é: time: unknown unit "h \xc3\xa9" in duration "1h \xc3\xa9""#),
        ("@every 9999999999h", #"failed to parse duration @every 9999999999h: time: invalid duration "9999999999h""#),
        ("TZ=Mars/Base * * * * *", "provided bad location Mars/Base: unknown time zone Mars/Base"),
        ("CRON_TZ=GMT+5 * * * * *", "provided bad location GMT+5: unknown time zone GMT+5"),
        ("TZ=../etc/passwd * * * * *", "provided bad location ../etc/passwd: time: invalid location name"),
        ("TZ=UTC", "missing schedule after time zone: TZ=UTC"),
        ("TZ=UTC 0 0 * *", "expected 5 to 6 fields, found 4: [0 0 * *]"),
        ("TZ=UTC @weekly0", "unrecognized descriptor: @weekly0"),
    ]

    @Test(arguments: errors)
    func errorTexts(_ example: (expression: String, message: String)) {
        #expect(parseError(example.expression) == example.message)
    }

    @Test func errorsAreCronErrors() {
        #expect(throws: CronError("unrecognized descriptor: @foo")) {
            try CronSchedule(parsing: "@foo", defaultTimeZone: utc)
        }
        #expect(CronError.neverFires("0 0 30 2 *").description == "schedule never fires within five years: 0 0 30 2 *")
    }
}

extension SpecSchedule {
    func with(dayOfMonth: FieldBits? = nil, month: FieldBits? = nil, dayOfWeek: FieldBits? = nil) -> SpecSchedule {
        var copy = self
        if let dayOfMonth { copy.dayOfMonth = dayOfMonth }
        if let month { copy.month = month }
        if let dayOfWeek { copy.dayOfWeek = dayOfWeek }
        return copy
    }
}

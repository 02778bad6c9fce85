import Foundation
import Testing
@testable import Cron

func zone(_ identifier: String) -> TimeZone {
    TimeZone(identifier: identifier)!
}

let utc = zone("UTC")
let newYork = zone("America/New_York")
let london = zone("Europe/London")

/// `2012-03-11T00:00:00-0500` (robfig's test layout) or `2012-03-11T00:00:00Z`.
func instant(_ text: String) -> Date {
    let bytes = Array(text.utf8)
    func number(_ range: Range<Int>) -> Int {
        Int(String(decoding: bytes[range], as: UTF8.self))!
    }
    var components = DateComponents()
    components.year = number(0..<4)
    components.month = number(5..<7)
    components.day = number(8..<10)
    components.hour = number(11..<13)
    components.minute = number(14..<16)
    components.second = number(17..<19)
    var offset = 0
    if bytes.count > 19, bytes[19] != UInt8(ascii: "Z") {
        let sign = bytes[19] == UInt8(ascii: "-") ? -1 : 1
        offset = sign * (number(20..<22) * 3600 + number(22..<24) * 60)
    }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = utc
    return calendar.date(from: components)!.addingTimeInterval(TimeInterval(-offset))
}

/// `Mon Jul 9 14:45 2012` or `Mon Jul 9 14:45:59 2012` on the wall clock of `timeZone`.
func wallTime(_ text: String, in timeZone: TimeZone) -> Date {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = timeZone
    for format in ["EEE MMM d HH:mm yyyy", "EEE MMM d HH:mm:ss yyyy"] {
        formatter.dateFormat = format
        if let date = formatter.date(from: text) { return date }
    }
    fatalError("unparseable test time \(text)")
}

/// A fire time as robfig's tests print it: `2012-11-04T01:00:00-0500`.
func rfc3339(_ date: Date, in timeZone: TimeZone) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = timeZone
    formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssxx"
    return formatter.string(from: date)
}

func schedule(_ expression: String, in timeZone: TimeZone = utc) throws -> CronSchedule {
    try CronSchedule(parsing: expression, defaultTimeZone: timeZone)
}

func parseError(_ expression: String) -> String? {
    do {
        _ = try CronSchedule(parsing: expression, defaultTimeZone: utc)
        return nil
    } catch let error as CronError {
        return error.description
    } catch {
        return "unexpected \(error)"
    }
}

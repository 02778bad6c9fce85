import Foundation
import Signing

/// RFC 1123 dates in GMT, as HTTP services write and read them: `Tue, 02 Jan 2024 03:04:05 GMT`
/// (`Last-Modified` of S3 and Azure, Azure's `x-ms-date` and a blob listing's `<Last-Modified>`).
enum HTTPDate {
    static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static var gmt: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT")!
        return calendar
    }

    static func format(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var c = tm()
        gmtime_r(&seconds, &c)
        func two(_ value: Int32) -> String { String(zeroPadded: Int(value), width: 2) }
        return "\(days[Int(c.tm_wday)]), \(two(c.tm_mday)) \(months[Int(c.tm_mon)]) \(String(zeroPadded: Int(c.tm_year) + 1900, width: 4)) "
            + "\(two(c.tm_hour)):\(two(c.tm_min)):\(two(c.tm_sec)) GMT"
    }

    /// The date of `text`, or nil when it is not an RFC 1123 date in GMT.
    static func parse(_ text: String) -> Date? {
        let fields = text.split(separator: " ")
        guard fields.count == 6, fields[5] == "GMT",
              let day = Int(fields[1]), let month = months.firstIndex(of: String(fields[2])), let year = Int(fields[3])
        else { return nil }
        let time = fields[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3 else { return nil }
        return gmt.date(from: DateComponents(year: year, month: month + 1, day: day, hour: time[0], minute: time[1], second: time[2]))
    }
}

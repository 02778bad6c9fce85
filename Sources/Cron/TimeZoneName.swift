import Foundation

/// Go's `time.LoadLocation` for the `TZ=`/`CRON_TZ=` prefix, over Foundation's zone data.
enum TimeZoneName {
    static func load(_ name: String, local: TimeZone) throws(CronError) -> TimeZone {
        switch name {
        case "", "UTC":
            return TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0)!
        case "Local":
            return local
        default:
            break
        }
        if name.contains("..") || name.hasPrefix("/") || name.hasPrefix("\\") {
            throw CronError("provided bad location \(name): time: invalid location name")
        }
        // Foundation also accepts offsets such as "GMT+5" under another identifier; Go does not.
        guard let zone = TimeZone(identifier: name), zone.identifier == name else {
            throw CronError("provided bad location \(name): unknown time zone \(name)")
        }
        return zone
    }
}

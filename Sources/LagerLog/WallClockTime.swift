#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A moment on the real-time clock, kept as whole seconds and nanoseconds so timestamps lose no precision.
public struct WallClockTime: Sendable, Equatable {
    public var seconds: Int
    public var nanoseconds: Int

    public init(seconds: Int, nanoseconds: Int) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    @Sendable public static func now() -> WallClockTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return WallClockTime(seconds: Int(spec.tv_sec), nanoseconds: Int(spec.tv_nsec))
    }

    /// lager's timestamp: Unix seconds with a nine-digit fraction, as a string.
    public var lagerTimestamp: String {
        "\(seconds)." + Self.padded(nanoseconds, 9)
    }

    /// lager's pretty timestamp: RFC 3339 in UTC with a nine-digit fraction, `2026-01-02T03:04:05.000000007Z`.
    public var rfc3339Timestamp: String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func padded(_ value: Int32, _ width: Int) -> String { Self.padded(Int(value), width) }
        return padded(parts.tm_year + 1900, 4) + "-" + padded(parts.tm_mon + 1, 2) + "-" + padded(parts.tm_mday, 2)
            + "T" + padded(parts.tm_hour, 2) + ":" + padded(parts.tm_min, 2) + ":" + padded(parts.tm_sec, 2)
            + "." + Self.padded(nanoseconds, 9) + "Z"
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

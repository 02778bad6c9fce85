extension Duration {
    /// The duration in seconds, with its fraction: what logs and summaries report.
    public var inSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// Whole nanoseconds, saturating at `Int64.max`.
    public var nanoseconds: Int64 {
        let parts = components
        let (scaled, overflow) = parts.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : scaled &+ parts.attoseconds / 1_000_000_000
    }

    /// Whole milliseconds, saturating at `Int.max`.
    public var milliseconds: Int {
        Int(nanoseconds / 1_000_000)
    }

    /// `seconds` as a duration, clamped to 0 ... about 292 years, so no manifest value can trap.
    public static func clamped(seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return .zero }
        return seconds >= 9e9 ? .seconds(Int64(9e9)) : .nanoseconds(Int64(seconds * 1e9))
    }
}

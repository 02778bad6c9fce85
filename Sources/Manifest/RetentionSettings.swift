/// A destination's `retention`: which complete runs stay after a successful run on it (the rule itself is
/// `Backups.Retention`'s). A run stays while younger than `keepDays` or among the newest `keepRuns` complete runs.
public struct RetentionSettings: Sendable, Equatable {
    public static let defaultKeepIncompleteDays = 7
    /// The bounds of every retention number: one day (or run) to a hundred years.
    public static let range = 1...36_500

    public var keepDays: Int?
    public var keepRuns: Int?
    /// Runs without a manifest (failed, stopped, or written by the original tool) stay this many days.
    public var keepIncompleteDays: Int

    public init(keepDays: Int? = nil, keepRuns: Int? = nil, keepIncompleteDays: Int = defaultKeepIncompleteDays) {
        self.keepDays = keepDays
        self.keepRuns = keepRuns
        self.keepIncompleteDays = keepIncompleteDays
    }

    /// `retention: keep_days 30 or keep_runs 7, incomplete runs 7 days`, for `validate`.
    public var summary: String {
        let kept = [keepDays.map { "keep_days \($0)" }, keepRuns.map { "keep_runs \($0)" }].compactMap { $0 }
        return "retention: \(kept.joined(separator: " or ")), incomplete runs \(keepIncompleteDays) days"
    }

    /// Reads `retention` of a destination entry; nil when absent. At least one of keep_days and keep_runs is needed.
    static func parse(_ entry: ManifestMap) throws -> RetentionSettings? {
        typealias Keys = ManifestSchema.Entry
        guard let map = try entry.map(named: Keys.retention.name) else { return nil }
        var settings = RetentionSettings(
            keepDays: try map.integer(Keys.keepDays, in: range), keepRuns: try map.integer(Keys.keepRuns, in: range))
        settings.keepIncompleteDays = try map.integer(Keys.keepIncompleteDays, in: range) ?? defaultKeepIncompleteDays
        if settings.keepDays == nil, settings.keepRuns == nil {
            throw ManifestError.value(
                entry.keyPath(Keys.retention.name), "must set keep_days or keep_runs (or both)",
                at: entry.location(of: entry.node(named: Keys.retention.name)))
        }
        return settings
    }
}

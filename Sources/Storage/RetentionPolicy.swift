/// How long a destination keeps its runs, as the manifest's `retention` says; `Backups.Retention` applies it.
public struct RetentionPolicy: Sendable, Equatable {
    /// Complete runs younger than this many days stay.
    public var keepDays: Int?
    /// The newest this many complete runs stay.
    public var keepRuns: Int?
    /// Runs without a manifest younger than this many days stay.
    public var keepIncompleteDays: Int

    public init(keepDays: Int? = nil, keepRuns: Int? = nil, keepIncompleteDays: Int = 7) {
        self.keepDays = keepDays
        self.keepRuns = keepRuns
        self.keepIncompleteDays = keepIncompleteDays
    }
}

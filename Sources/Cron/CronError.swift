/// Why a cron expression was refused, worded like robfig/cron v3's parser errors.
public struct CronError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }

    /// For a schedule whose `next(after:)` is nil: robfig's `Next` finds nothing within five years.
    public static func neverFires(_ expression: String) -> CronError {
        CronError("schedule never fires within five years: \(expression)")
    }
}

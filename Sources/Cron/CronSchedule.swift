import Foundation

// TODO(issue 2): robfig/cron v3 parser and next-fire computation.
public struct CronSchedule: Sendable {
    public let expression: String
    public let timeZone: TimeZone

    public init(parsing expression: String, defaultTimeZone: TimeZone = .current) throws {
        self.expression = expression
        self.timeZone = defaultTimeZone
        throw CronError("cron expressions are not supported yet")
    }

    /// The first fire time strictly after `date`, or nil when none comes within five years.
    public func next(after date: Date) -> Date? { nil }
}

public struct CronError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

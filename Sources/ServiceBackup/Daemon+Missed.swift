import Foundation
import Logging

extension Daemon {
    /// Logs fire times that passed with no run, and alerts about them.
    static func missed(_ missed: MissedFireTimes, alerts: AlertQueue, logger: Logger) {
        let utc = TimeZone(identifier: "UTC")!
        logger.error("Missed scheduled backup", metadata: [
            "missed_times": .array(missed.times.map { .string(AlertText.rfc3339($0, in: utc)) }),
            "missed_count": .stringConvertible(missed.count),
            "reason": .string(missed.reason.rawValue),
        ])
        alerts.post(.missed(missed), logger: logger)
    }
}

import Backups
import Foundation
import Manifest

/// One thing the daemon sends alerts about: a finished scheduled run, a refused one, or missed fire times.
public struct AlertNotice: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        case succeeded, failed
        /// Refused because the previous run was still in progress (`exit_if_in_progress`).
        case refused
        case missed
    }

    public var event: AlertEvent
    public var outcome: Outcome
    public var backupGUID: String?
    public var identifier: String?
    public var error: String?
    /// The run's report, when a run took place.
    public var report: RunReport?
    /// Missed fire times, the first few of them, and how many there were.
    public var missedTimes: [Date] = []
    public var missedCount: Int = 0
    public var missedReason: String?
    public var at: Date

    public init(event: AlertEvent, outcome: Outcome, backupGUID: String? = nil, identifier: String? = nil,
                error: String? = nil, report: RunReport? = nil, at: Date = Date()) {
        self.event = event
        self.outcome = outcome
        self.backupGUID = backupGUID
        self.identifier = identifier
        self.error = error
        self.report = report
        self.at = at
    }

    /// A finished run: success or failure; nil for a run cut short by the daemon stopping.
    public static func finished(_ report: RunReport) -> AlertNotice? {
        guard !report.cancelled else { return nil }
        let succeeded = report.succeeded
        return AlertNotice(
            event: succeeded ? .success : .failure, outcome: succeeded ? .succeeded : .failed,
            backupGUID: report.backupGUID, identifier: report.identifier,
            error: succeeded ? nil : (report.error ?? report.failedStep.map { "\($0.rawValue) failed" } ?? "backup failed"),
            report: report, at: report.finishedAt)
    }

    /// The original's error text for a refused run.
    public static let refusedError =
        "Backup currently in progress, exiting. Another backup will not be able to start until this is completed."

    public static func refused(backupGUID: String, at: Date = Date()) -> AlertNotice {
        AlertNotice(event: .failure, outcome: .refused, backupGUID: backupGUID, error: refusedError, at: at)
    }

    public static func missed(_ missed: MissedFireTimes, at: Date = Date()) -> AlertNotice {
        var notice = AlertNotice(event: .missed, outcome: .missed, at: at)
        notice.missedTimes = missed.times
        notice.missedCount = missed.count
        notice.missedReason = missed.reason.rawValue
        return notice
    }

    /// What the alert says to a person: the content of the original's e-mail body.
    public var content: String {
        switch event {
        case .failure: AlertText.failure(error ?? "")
        case .success: AlertText.success(runID: report?.runID ?? "")
        case .missed: AlertText.missed(missedTimes, count: missedCount, reason: missedReason ?? "")
        }
    }

    /// The original's subject line for this event.
    public var subject: String {
        switch event {
        case .failure: "Service Backup Failed"
        case .success: "Service Backup Succeeded"
        case .missed: "Service Backup Missed"
        }
    }
}

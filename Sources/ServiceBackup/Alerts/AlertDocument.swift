import Backups
import Foundation

/// The JSON document a webhook receives and an alert executable reads on stdin.
/// Every field is always present (null when unknown), so a receiver can rely on the shape.
enum AlertDocument {
    static let version = 1

    /// The document's fields: `version`, `event`, `outcome`, `product`, `identifier`, `deployment`, `host`,
    /// `backup_guid`, `run_id`, `started_at`, `finished_at`, `failed_step`, `error`, `destinations`,
    /// `missed_times`, `missed_count`, `missed_reason`, `generated_at`, and `text`: the human text
    /// (`Alert from …`), also what chat webhooks such as Slack's display.
    static func fields(
        _ notice: AlertNotice, product: String?, deployment: String?, host: String = ProcessInfo.processInfo.hostName
    ) -> [String: Any] {
        let utc = TimeZone(identifier: "UTC")!
        let report = notice.report
        func value(_ optional: Any?) -> Any { optional ?? NSNull() }
        let destinations: [[String: Any]] = (report?.destinations ?? []).map { destination in
            [
                "name": value(destination.name), "type": destination.kind, "outcome": destination.outcome.rawValue,
                "files": destination.files, "bytes": destination.bytes, "seconds": destination.seconds,
                "retries": destination.retries, "error": value(destination.error), "manifest_key": value(destination.manifestKey),
            ]
        }
        let text = AlertText.body(
            product: product ?? "service-backup", serviceInstanceID: notice.identifier, content: notice.content, at: notice.at)
        return [
            "version": version,
            "event": notice.event.rawValue,
            "outcome": notice.outcome.rawValue,
            "product": value(product),
            "identifier": value(notice.identifier),
            "deployment": value(deployment),
            "host": host,
            "backup_guid": value(notice.backupGUID),
            "run_id": value(report?.runID),
            "started_at": value(report.map { AlertText.rfc3339($0.startedAt, in: utc) }),
            "finished_at": value(report.map { AlertText.rfc3339($0.finishedAt, in: utc) }),
            "failed_step": value(notice.outcome == .failed ? report?.failedStep?.rawValue : nil),
            "error": value(notice.error),
            "destinations": destinations,
            "missed_times": notice.missedTimes.map { AlertText.rfc3339($0, in: utc) },
            "missed_count": notice.missedCount,
            "missed_reason": value(notice.missedReason),
            "generated_at": AlertText.rfc3339(notice.at, in: utc),
            "text": text,
        ]
    }

    /// The document as JSON text, keys sorted.
    static func json(_ notice: AlertNotice, product: String?, deployment: String?, host: String = ProcessInfo.processInfo.hostName) -> [UInt8] {
        let object = fields(notice, product: product, deployment: deployment, host: host)
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return data.map(Array.init) ?? Array("{}".utf8)
    }
}

import Foundation

/// The words of an alert, as the original's service-alerts-client wrote them.
public enum AlertText {
    /// `[Service Alert][<product>] <subject>`.
    public static func subject(product: String, _ subject: String) -> String {
        "[Service Alert][\(product)] \(subject)"
    }

    /// `Alert from <product>[, service instance <id>]:\n\n<content>\n\n[Alert generated at <RFC 3339>]`.
    public static func body(product: String, serviceInstanceID: String?, content: String, at time: Date, in zone: TimeZone = .current) -> String {
        let instance = serviceInstanceID.flatMap { $0.isEmpty ? nil : ", service instance \($0)" } ?? ""
        return "Alert from \(product)\(instance):\n\n\(content)\n\n[Alert generated at \(rfc3339(time, in: zone))]"
    }

    /// The content of a failure alert: `A backup run has failed with the following error: <error>`.
    public static func failure(_ error: String) -> String {
        "A backup run has failed with the following error: \(error)"
    }

    /// The content of a missed-schedule alert.
    public static func missed(_ times: [Date], count: Int, reason: String) -> String {
        let shown = times.map { rfc3339($0, in: .current) }.joined(separator: ", ")
        let more = count > times.count ? " and \(count - times.count) more" : ""
        return "A scheduled backup did not run at \(shown)\(more): \(reason)."
    }

    /// The content of a success notice.
    public static func success(runID: String) -> String {
        "A backup run completed successfully (run \(runID))."
    }

    /// Go's `time.RFC3339`: seconds, `Z` or `±hh:mm`.
    public static func rfc3339(_ date: Date, in zone: TimeZone) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

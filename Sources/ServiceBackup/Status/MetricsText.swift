import Foundation

/// The status as Prometheus text exposition format (version 0.0.4), for node_exporter's textfile collector.
///
/// Written here rather than with swift-prometheus: its registry writes label values unescaped (a destination
/// named `a"b` would break the file), emits families in dictionary order, and models live in-process counters,
/// while this file is a rendering of the persisted status, whose counters survive restarts.
public enum MetricsText {
    public static func render(_ status: BackupStatus) -> String {
        var text = Families()
        let destinations = status.destinations.map { [("destination", $0.name), ("type", $0.type)] }

        text.family("service_backup_up", .gauge, "1 while the service-backup daemon runs, 0 once it stopped or when none ran.")
        text.sample("service_backup_up", [], status.daemon.running ? 1 : 0)

        if let next = status.nextRunAt {
            text.family("service_backup_next_run_timestamp_seconds", .gauge, "Unix time of the daemon's next scheduled backup.")
            text.sample("service_backup_next_run_timestamp_seconds", [], next.timeIntervalSince1970)
        }

        text.family("service_backup_runs_total", .counter, "Backup runs by outcome: succeeded, failed or cancelled.")
        for (outcome, count) in [("succeeded", status.runs.succeeded), ("failed", status.runs.failed), ("cancelled", status.runs.cancelled)] {
            text.sample("service_backup_runs_total", [("outcome", outcome)], Double(count))
        }

        guard !status.destinations.isEmpty else { return text.output }
        text.family("service_backup_last_success_timestamp_seconds", .gauge,
                    "Unix time of the last backup complete on the destination; 0 when none was.")
        for (labels, destination) in zip(destinations, status.destinations) {
            text.sample("service_backup_last_success_timestamp_seconds", labels, destination.lastSuccessAt?.timeIntervalSince1970 ?? 0)
        }
        text.family("service_backup_last_run_duration_seconds", .gauge, "Seconds the last run took on the destination.")
        for (labels, destination) in zip(destinations, status.destinations) {
            text.sample("service_backup_last_run_duration_seconds", labels, destination.lastDurationSeconds)
        }
        text.family("service_backup_last_run_bytes", .gauge, "Bytes the last run wrote to the destination.")
        for (labels, destination) in zip(destinations, status.destinations) {
            text.sample("service_backup_last_run_bytes", labels, Double(destination.lastBytes))
        }
        text.family("service_backup_retries_total", .counter, "Requests or files tried again on the destination, over all runs.")
        for (labels, destination) in zip(destinations, status.destinations) {
            text.sample("service_backup_retries_total", labels, Double(destination.retriesTotal))
        }
        text.family("service_backup_consecutive_failures", .gauge, "Runs in a row that failed on the destination.")
        for (labels, destination) in zip(destinations, status.destinations) {
            text.sample("service_backup_consecutive_failures", labels, Double(destination.consecutiveFailures))
        }
        return text.output
    }

    enum Kind: String { case gauge, counter }

    struct Families {
        var output = ""

        mutating func family(_ name: String, _ kind: Kind, _ help: String) {
            output += "# HELP \(name) \(MetricsText.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
        }

        mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
            output += name
            if !labels.isEmpty {
                output += "{" + labels.map { "\($0)=\"\(MetricsText.escapeLabel($1))\"" }.joined(separator: ",") + "}"
            }
            output += " " + MetricsText.format(value) + "\n"
        }
    }

    /// A label value: backslash, double quote and line feed escaped.
    static func escapeLabel(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// A HELP text: backslash and line feed escaped.
    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Whole numbers without a fraction; others as Go's ParseFloat reads them.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

import Foundation

/// The status for people: a few lines about the daemon and the last run, then one row per destination,
/// then each destination's last error.
public enum StatusTable {
    public static func render(_ status: BackupStatus, file: String, now: Date = Date()) -> String {
        var lines = ["manifest: \(status.manifest)", "status file: \(file), updated \(time(status.updatedAt, now))"]
        if status.daemon.running {
            let pid = status.daemon.pid.map { " (pid \($0))" } ?? ""
            lines.append("daemon: running\(pid) since \(status.daemon.startedAt.map { time($0, now) } ?? "-")")
        } else {
            lines.append("daemon: not running" + (status.daemon.stoppedAt.map { ", stopped \(time($0, now))" } ?? ""))
        }
        lines.append("next run: \(status.nextRunAt.map { time($0, now) } ?? "-")")
        if let run = status.lastRun {
            var text = "last run: \(run.runId) (\(run.trigger)) \(run.outcome), finished \(time(run.finishedAt, now))"
            if let step = run.failedStep { text += ", failed step \(step)" }
            lines.append(text)
        } else {
            lines.append("last run: -")
        }
        lines.append("runs: \(status.runs.succeeded) succeeded, \(status.runs.failed) failed, \(status.runs.cancelled) cancelled")
        guard !status.destinations.isEmpty else { return lines.joined(separator: "\n") }

        let header = ["DESTINATION", "TYPE", "LAST", "LAST SUCCESS", "LAST FAILURE", "FAILURES IN A ROW", "SECONDS", "BYTES", "FILES", "RETRIES"]
        let rows = status.destinations.map { destination in
            [
                destination.name, destination.type, destination.lastOutcome ?? "-",
                destination.lastSuccessAt.map { time($0, now) } ?? "never",
                destination.lastFailureAt.map { time($0, now) } ?? "-",
                String(destination.consecutiveFailures), String(format: "%.2f", destination.lastDurationSeconds),
                String(destination.lastBytes), String(destination.lastFiles), String(destination.lastRetries),
            ]
        }
        lines.append("")
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            lines.append(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        let errors = status.destinations.compactMap { destination in
            destination.lastError.map { "\(destination.name): last error: \($0)" }
        }
        if let error = status.lastRun?.error, status.lastRun?.outcome != "succeeded", errors.isEmpty {
            lines.append("")
            lines.append("last run error: \(error)")
        }
        if !errors.isEmpty {
            lines.append("")
            lines.append(contentsOf: errors)
        }
        return lines.joined(separator: "\n")
    }

    /// `2026-11-30T09:16:04Z (3m ago)`, or `… (in 2h)` for a time to come.
    static func time(_ date: Date, _ now: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let seconds = Int(now.timeIntervalSince(date).rounded())
        let span = age(abs(seconds))
        return formatter.string(from: date) + (seconds >= 0 ? " (\(span) ago)" : " (in \(span))")
    }

    static func age(_ seconds: Int) -> String {
        switch seconds {
        case ..<60: "\(seconds)s"
        case ..<3600: "\(seconds / 60)m"
        case ..<86_400: "\(seconds / 3600)h\(seconds % 3600 / 60 == 0 ? "" : "\(seconds % 3600 / 60)m")"
        default: "\(seconds / 86_400)d\(seconds % 86_400 / 3600 == 0 ? "" : "\(seconds % 86_400 / 3600)h")"
        }
    }
}

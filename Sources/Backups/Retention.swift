import Foundation
import Storage

/// One run retention deletes, and what of it: its manifest (first) and the files no kept run lists (then).
public struct RetentionDeletion: Sendable, Equatable {
    public var run: RunSummary
    /// The run's manifest key; nil for a run without one.
    public var manifestKey: String?
    /// The keys of the run's files that go, sorted: those no kept run lists.
    public var files: [String]
    /// The run's files that stay because a kept run lists them too.
    public var shared: Int
}

/// Which runs a destination's retention deletes, written once over any store's catalog (`Catalog.runs`).
///
/// Runs are grouped by what precedes their `YYYY/MM/DD` day folders (a deployment name, say), so one group
/// never decides another's fate. Within a group:
/// - A run with a manifest goes only when outside both limits: not younger than `keepDays` days, and not
///   among the newest `keepRuns` complete runs (superseded and damaged runs are never counted there). Never
///   the newest complete run, never a run younger than a day, never a run whose manifest cannot be read.
/// - A run without a manifest (failed, stopped, or written by the original tool) goes once it is neither
///   younger than `keepIncompleteDays` days nor than `keepDays` days, dated by its run id or else by its newest
///   file: a backup the original tool wrote is kept as long as `keepDays` promises.
/// - A file that a kept run lists never goes (same-day runs share names when `run_folders` is false).
public struct Retention: Sendable {
    public let policy: RetentionPolicy
    /// No run younger than this ever goes, whatever the policy.
    public static let minimumAge: TimeInterval = 86_400
    static let day: TimeInterval = 86_400

    public init(policy: RetentionPolicy) { self.policy = policy }

    /// What goes, oldest run first.
    public func plan(_ runs: [RunSummary], now: Date) -> [RetentionDeletion] {
        let groups = Dictionary(grouping: runs, by: Self.series)
        var deleted: [(RunSummary, Date)] = []
        var kept: [RunSummary] = []
        for (_, group) in groups {
            let dated = group.map { ($0, Self.time(of: $0)) }.sorted { $0.1 > $1.1 }
            let complete = dated.filter { $0.0.state == .complete }
            let countKept = Set(complete.prefix(max(1, policy.keepRuns ?? 1)).compactMap(\.0.runID))
            for (run, time) in dated {
                let age = now.timeIntervalSince(time)
                let keep: Bool
                let withinDays = policy.keepDays.map { age < Double($0) * Self.day } ?? false
                if run.manifest == nil, run.state == .incomplete {
                    keep = age < Double(policy.keepIncompleteDays) * Self.day || withinDays
                } else if run.manifest == nil {
                    keep = true  // its manifest cannot be read: nothing is known of it
                } else {
                    keep = age < Self.minimumAge || withinDays
                        || (run.state == .complete && run.runID.map(countKept.contains) ?? false)
                }
                if keep { kept.append(run) } else { deleted.append((run, time)) }
            }
        }
        let protected = Set(kept.flatMap(\.keys.values))
        return deleted.sorted { $0.1 < $1.1 }.map { run, _ in
            let keys = Set(run.keys.values)
            let manifestKey = run.manifest.map { RunLayout(dayFolder: run.dayFolder, runID: $0.runID, runFolder: false).manifestKey }
            return RetentionDeletion(
                run: run, manifestKey: manifestKey, files: keys.subtracting(protected).sorted(),
                shared: keys.intersection(protected).count)
        }
    }

    /// What precedes a run's `YYYY/MM/DD`: runs of different deployments sharing a base path are apart.
    static func series(_ run: RunSummary) -> String {
        run.dayFolder.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
    }

    /// When a run started: its manifest's start, else its run id's, else its newest file's time, else the end of its day.
    static func time(of run: RunSummary) -> Date {
        if let started = run.manifest.flatMap({ Timestamp.parse($0.startedAt) }) { return started }
        if let id = run.runID, let started = Timestamp.parseCompact(String(id.prefix(16))) { return started }
        if let modified = run.modified { return modified }
        return Timestamp.parseCompact(run.date.replacingOccurrences(of: "/", with: "") + "T000000Z").map { $0 + 2 * day }
            ?? .distantFuture
    }
}

extension Timestamp {
    /// The inverse of `compact`: `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func parseCompact(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.date(from: text)
    }
}

import Backups
import Foundation

/// What the status file holds: the daemon's state, the last run, and per destination what its runs came to.
/// Counters (`runs`, `retries_total`) add up across runs and restarts: they live here, not in the process.
public struct BackupStatus: Codable, Sendable, Equatable {
    public static let formatVersion = 1

    public var formatVersion = BackupStatus.formatVersion
    /// The manifest's absolute path.
    public var manifest: String
    public var updatedAt: Date
    public var daemon = DaemonStatus()
    /// The daemon's next fire time; nil while no daemon runs.
    public var nextRunAt: Date?
    public var lastRun: RunStatus?
    public var runs = RunCounts()
    public var destinations: [DestinationStatus] = []

    public init(manifest: String, updatedAt: Date) {
        self.manifest = manifest
        self.updatedAt = updatedAt
    }

    public struct DaemonStatus: Codable, Sendable, Equatable {
        public var running = false
        public var pid: Int32?
        public var startedAt: Date?
        public var stoppedAt: Date?
    }

    public struct RunCounts: Codable, Sendable, Equatable {
        public var succeeded = 0
        public var failed = 0
        public var cancelled = 0
    }

    /// `runId`, not `runID`: names must survive the snake_case round trip (`run_id` → `runId`).
    public struct RunStatus: Codable, Sendable, Equatable {
        public var runId: String
        public var backupGuid: String
        public var identifier: String?
        /// `daemon` or `backup` (a run on demand).
        public var trigger: String
        public var outcome: String
        public var failedStep: String?
        public var error: String?
        public var startedAt: Date
        public var finishedAt: Date
    }

    public struct DestinationStatus: Codable, Sendable, Equatable {
        /// The manifest's `name`, or the type when it has none.
        public var name: String
        public var type: String
        public var lastOutcome: String?
        public var lastRunAt: Date?
        public var lastSuccessAt: Date?
        public var lastFailureAt: Date?
        /// The error of the last failure, kept after later successes.
        public var lastError: String?
        public var lastDurationSeconds: Double = 0
        public var lastBytes: Int64 = 0
        public var lastFiles = 0
        public var lastRetries = 0
        public var consecutiveFailures = 0
        public var retriesTotal = 0
        /// The run manifest of the last run complete on this destination.
        public var lastManifestKey: String?

        public init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }

    /// A destination as the manifest has it.
    public struct DestinationID: Sendable, Equatable {
        public var name: String?
        public var kind: String

        public init(name: String?, kind: String) {
            self.name = name
            self.kind = kind
        }

        var key: String { name ?? kind }
    }

    /// Takes in what a run did. `destinations` are the manifest's: their entries are kept in its order, others
    /// dropped; when the run failed before any upload (the source executable, the snapshot), each of them counts
    /// a failure, since none received a backup.
    public mutating func record(_ report: RunReport, trigger: String, destinations configured: [DestinationID]) {
        let outcome = report.cancelled ? "cancelled" : report.succeeded ? "succeeded" : "failed"
        switch outcome {
        case "succeeded": runs.succeeded += 1
        case "cancelled": runs.cancelled += 1
        default: runs.failed += 1
        }
        lastRun = RunStatus(
            runId: report.runID, backupGuid: report.backupGUID, identifier: report.identifier, trigger: trigger,
            outcome: outcome, failedStep: report.failedStep?.rawValue, error: Self.runError(report),
            startedAt: report.startedAt, finishedAt: report.finishedAt)

        let previous = destinations
        destinations = configured.map { id in
            previous.first { $0.name == id.key && $0.type == id.kind } ?? DestinationStatus(name: id.key, type: id.kind)
        }
        for index in destinations.indices {
            let id = configured[index]
            if let done = report.destinations.first(where: { $0.name == id.name && $0.kind == id.kind }) {
                destinations[index].record(done, at: report.finishedAt)
            } else if !report.cancelled, let step = report.failedStep, step == .sourceExecutable || step == .snapshot {
                destinations[index].recordFailure(Self.runError(report) ?? "\(step.rawValue) failed", at: report.finishedAt)
            }
        }
    }

    /// The run's error: the failed step's, or `source_executable failed`.
    static func runError(_ report: RunReport) -> String? {
        if let error = report.error { return error }
        guard let step = report.failedStep, step != .cleanup else { return nil }
        return "\(step.rawValue) failed"
    }
}

extension BackupStatus.DestinationStatus {
    mutating func record(_ report: DestinationReport, at time: Date) {
        lastOutcome = report.outcome.rawValue
        lastRunAt = time
        lastDurationSeconds = report.seconds
        lastBytes = report.bytes
        lastFiles = report.files
        lastRetries = report.retries
        retriesTotal += report.retries
        switch report.outcome {
        case .succeeded:
            lastSuccessAt = time
            consecutiveFailures = 0
            lastManifestKey = report.manifestKey
        case .failed:
            recordFailure(report.error ?? "failed", at: time)
        case .cancelled:
            break
        }
    }

    mutating func recordFailure(_ error: String, at time: Date) {
        lastOutcome = "failed"
        lastRunAt = time
        lastFailureAt = time
        lastError = error
        consecutiveFailures += 1
    }
}

extension BackupStatus {
    /// The status file's JSON: snake_case keys, times in RFC 3339 UTC with milliseconds, sorted keys.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(StatusTime.format(date))
        }
        return try encoder.encode(self)
    }

    public static func decoded(from data: Data) throws -> BackupStatus {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = StatusTime.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 time: \(text)")
            }
            return date
        }
        let version = try decoder.decode(Version.self, from: data).formatVersion
        guard version <= formatVersion else {
            throw StatusFileError("it has format_version \(version); this service-backup reads up to \(formatVersion)")
        }
        return try decoder.decode(BackupStatus.self, from: data)
    }

    private struct Version: Decodable { var formatVersion: Int }
}

/// Times as the status file writes them: `2026-11-30T09:16:04.613Z`.
public enum StatusTime {
    public static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

public struct StatusFileError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

import Foundation
import Storage

/// What one destination did in a run: what the run logs and what status, metrics and alerts are built on.
public struct DestinationReport: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable { case succeeded, failed, cancelled }

    public var name: String?
    public var kind: String
    public var outcome: Outcome
    public var files: Int
    public var bytes: Int64
    public var seconds: Double
    public var retries: Int
    public var errorKind: StoreError.Kind?
    public var error: String?
    /// The run manifest's key, when the run is complete on this destination.
    public var manifestKey: String?

    public init(
        name: String?, kind: String, outcome: Outcome, files: Int = 0, bytes: Int64 = 0, seconds: Double = 0,
        retries: Int = 0, errorKind: StoreError.Kind? = nil, error: String? = nil, manifestKey: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.outcome = outcome
        self.files = files
        self.bytes = bytes
        self.seconds = seconds
        self.retries = retries
        self.errorKind = errorKind
        self.error = error
        self.manifestKey = manifestKey
    }

    /// `s3 destination backups` or `s3 destination`, as `Destination.label` says it.
    public var label: String { Destination.label(name: name, kind: kind) }
}

/// What a whole run did.
public struct RunReport: Sendable, Equatable {
    public enum Step: String, Sendable, Equatable { case sourceExecutable = "source_executable", snapshot, upload, cleanup }

    public var backupGUID: String
    public var runID: String
    public var identifier: String?
    public var startedAt: Date
    public var finishedAt: Date
    /// The step that failed, if one did (a failed cleanup does not fail the backup).
    public var failedStep: Step?
    public var cancelled: Bool
    public var error: String?
    public var destinations: [DestinationReport]
    /// The source folder held no file (the run still succeeds, with a run manifest of no files).
    public var emptySource = false
    /// What the run warned of (an empty source folder, entries left out, names stored otherwise); none fails it.
    public var warnings: [String] = []

    public init(backupGUID: String, runID: String, identifier: String? = nil, startedAt: Date, finishedAt: Date,
                failedStep: Step? = nil, cancelled: Bool = false, error: String? = nil, destinations: [DestinationReport] = []) {
        self.backupGUID = backupGUID
        self.runID = runID
        self.identifier = identifier
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.failedStep = failedStep
        self.cancelled = cancelled
        self.error = error
        self.destinations = destinations
    }

    /// The backup reached every destination whole.
    public var succeeded: Bool {
        !cancelled && (failedStep == nil || failedStep == .cleanup) && destinations.allSatisfy { $0.outcome == .succeeded }
    }
}

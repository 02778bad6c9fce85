import Logging

/// A place a backup goes. The run hands every destination the same `Backup` and never asks which kind it is.
///
/// A destination logs its own progress (`about to upload …`) on the logger it is given (the run logs
/// `<type> completed` and the summary), makes each file visible only once it is complete, and throws a `DestinationError` (or any
/// error whose description names no secret) when the backup did not arrive whole.
/// It honours task cancellation: a cancelled upload stops promptly and leaves nothing half-written.
public protocol LegacyDestination: Sendable {
    /// The manifest's `name` of this destination, if it has one.
    var name: String? { get }
    /// The manifest's type name: `s3`, `azure`, `scp`, `local`.
    var typeName: String { get }

    func upload(_ backup: Backup, logger: Logger) async throws -> UploadSummary

    /// What an operator checking the manifest should know about this destination beyond its settings
    /// (an unpinned server's host key, say). May contact the destination; never fails.
    func validationNotes() async -> [String]
}

extension LegacyDestination {
    public func validationNotes() async -> [String] { [] }
}

/// What one destination moved. The run times it and logs it.
public struct UploadSummary: Sendable, Equatable {
    public var files: Int
    public var bytes: Int64
    /// Requests or files that were tried again.
    public var retries: Int

    public init(files: Int, bytes: Int64, retries: Int = 0) {
        self.files = files
        self.bytes = bytes
        self.retries = retries
    }
}

/// A failure a destination reports; its text is shown to operators as is, so it never holds a secret.
public struct DestinationError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }
}

import Logging
import Manifest

// TODO: replaced by the s3 destination's own issue.
public struct S3Destination: Destination {
    public let name: String?
    public var typeName: String { "s3" }

    public init(name: String?, settings: S3Settings) throws {
        self.name = name
    }

    public func upload(_ backup: Backup, logger: Logger) async throws -> UploadSummary {
        throw DestinationError("the s3 destination is not available in this build")
    }
}

import Logging
import Manifest

// TODO: replaced by the scp destination's own issue.
public struct SCPDestination: Destination {
    public let name: String?
    public var typeName: String { "scp" }

    public init(name: String?, settings: SCPSettings) throws {
        self.name = name
    }

    public func upload(_ backup: Backup, logger: Logger) async throws -> UploadSummary {
        throw DestinationError("the scp destination is not available in this build")
    }
}

import Logging
import Manifest

// TODO: replaced by the azure destination's own issue.
public struct AzureDestination: Destination {
    public let name: String?
    public var typeName: String { "azure" }

    public init(name: String?, settings: AzureSettings) throws {
        self.name = name
    }

    public func upload(_ backup: Backup, logger: Logger) async throws -> UploadSummary {
        throw DestinationError("the azure destination is not available in this build")
    }
}

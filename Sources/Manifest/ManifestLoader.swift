import Foundation
import Yams

// TODO(issue 2): the three manifest forms and the original's validation.
public enum ManifestLoader {
    /// Reads, parses and validates the manifest at `path`.
    public static func load(path: String) throws -> BackupConfiguration {
        throw ManifestError("Invalid config - manifests are not supported yet")
    }
}

/// A manifest that cannot be used; the text names the file or key at fault and never a secret value.
public struct ManifestError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

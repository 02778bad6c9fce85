/// A manifest that cannot be used; the text names the file or key at fault and never a secret value.
///
/// Validation errors read exactly like the original's (`Invalid config - Missing values for s3: bucket_name.`)
/// followed on the next line by the manifest's `missing_properties_message`; errors about the file, its YAML
/// or a value's type are one line that names the file and the key.
public struct ManifestError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension ManifestError {
    static let prefix = "Invalid config - "

    /// One of the original's validation texts, with the operator's message on the next line; when the error is
    /// about one `destinations` entry, a last line names it (`In destinations[1] "archive" (s3).`), so the
    /// original's two lines stay as they were.
    static func validation(_ text: String, message: String, at destination: String? = nil) -> ManifestError {
        ManifestError("\(prefix)\(text).\n\(message)" + (destination.map { "\nIn \($0)." } ?? ""))
    }

    /// A one-line error about the file itself.
    static func file(_ file: String, _ problem: String) -> ManifestError {
        ManifestError("\(prefix)\(file) \(problem)")
    }

    /// A one-line error about the value at `keyPath`.
    static func value(_ keyPath: String, _ problem: String, at location: ValueLocation) -> ManifestError {
        ManifestError("\(prefix)\(keyPath) \(problem) (\(location)).")
    }
}

/// Where a value sits: the file and, when known, the line.
struct ValueLocation: CustomStringConvertible, Sendable {
    var file: String
    var line: Int?

    var description: String {
        if let line { "\(file), line \(line)" } else { file }
    }
}

import Foundation
import Testing
@testable import Manifest

/// Parses manifest text named `test.yml` in errors.
func parse(_ yaml: String) throws -> BackupConfiguration {
    try ManifestLoader.parse(yaml: yaml, file: "test.yml")
}

/// The error text parsing `yaml` produces; records a failure when it parses.
func errorText(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    do {
        _ = try parse(yaml)
        Issue.record("expected an error", sourceLocation: sourceLocation)
        return ""
    } catch let error as ManifestError {
        return error.description
    } catch {
        Issue.record("unexpected error type \(error)", sourceLocation: sourceLocation)
        return ""
    }
}

/// The error text loading the file at `path` produces.
func loadErrorText(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    do {
        _ = try ManifestLoader.load(path: path)
        Issue.record("expected an error", sourceLocation: sourceLocation)
        return ""
    } catch {
        return "\(error)"
    }
}

/// A fresh private folder, removed by the caller.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

let defaultMessage = "Provide these missing fields in your manifest."

/// A valid rendered manifest around one destination entry (already indented as a list item).
func rendered(_ destination: String, extra: String = "") -> String {
    """
    destinations:
    \(destination)
    source_folder: /var/vcap/store/backups
    cron_schedule: '*/5 * * * *'
    \(extra)
    """
}

let s3Entry = """
- type: s3
  name: primary
  config:
    bucket_name: my-bucket
    bucket_path: some/path
    access_key_id: AKIAEXAMPLEKEYID0001
    secret_access_key: wJalrSECRETKEYexample0001
"""

extension BackupConfiguration {
    var firstS3: S3Settings? {
        if case .s3(let settings) = destinations.first?.kind { settings } else { nil }
    }
    var firstAzure: AzureSettings? {
        if case .azure(let settings) = destinations.first?.kind { settings } else { nil }
    }
    var firstSCP: SCPSettings? {
        if case .scp(let settings) = destinations.first?.kind { settings } else { nil }
    }
    var firstLocal: LocalSettings? {
        if case .local(let settings) = destinations.first?.kind { settings } else { nil }
    }
}

/// The original's lines of a validation error (its text, then the operator's message): the error without the
/// last line that names the `destinations` entry (`In destinations[0] (s3).`), which the tests of that line check.
func originalText(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    let text = errorText(yaml, sourceLocation: sourceLocation)
    guard let range = text.range(of: "\nIn destinations[", options: .backwards) else { return text }
    return String(text[..<range.lowerBound])
}

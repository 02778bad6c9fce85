import Foundation
import Yams

/// Reads a manifest in any of its accepted forms and turns it into a validated ``BackupConfiguration``.
///
/// Accepted forms:
/// - a rendered `backup.yml`, settings at the top (what the BOSH job writes);
/// - a BOSH deployment manifest, settings under `properties.service-backup` or under
///   `instance_groups[].jobs[].properties.service-backup` of a job named `service-backup` (the first that has
///   them); `deployment_name` defaults to the manifest's `name`;
/// - the older single destination `destination: {s3|azure|scp: {...}}` (and the oldest `blobstore: {...}`,
///   an S3 destination) in either of the above.
public enum ManifestLoader {
    /// Larger files are refused before they are read: no manifest is anywhere near this.
    public static let maximumFileSize = 16 << 20

    /// Reads, parses and validates the manifest at `path`.
    public static func load(path: String) throws -> BackupConfiguration {
        try parse(yaml: readText(at: path), file: path)
    }

    /// Parses and validates manifest text; `file` names it in errors.
    public static func parse(yaml: String, file: String) throws -> BackupConfiguration {
        try inspect(yaml: yaml, file: file).configuration
    }

    /// Parses and validates manifest text, with the warnings about what it says.
    public static func inspect(yaml: String, file: String) throws -> (configuration: BackupConfiguration, warnings: [String]) {
        let root = try compose(yaml, file: file)
        let located = try ManifestForm.locateSettings(in: root, file: file)
        let configuration = try ConfigurationParser(
            settings: located.settings, boshDeploymentName: located.boshDeploymentName
        ).parse()
        return (configuration, ManifestLint.warnings(in: located.settings))
    }

    public static func readText(at path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ManifestError.file(path, "does not exist.")
        }
        if isDirectory.boolValue { throw ManifestError.file(path, "is a directory, not a manifest file.") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ManifestError.file(path, "cannot be read (permission denied).")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if size > maximumFileSize {
            throw ManifestError.file(path, "is \(size) bytes, too large for a manifest (at most \(maximumFileSize)).")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ManifestError.file(path, "cannot be read.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ManifestError.file(path, "is not UTF-8 text.")
        }
        return text
    }

    static func compose(_ yaml: String, file: String) throws -> Node.Mapping {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ManifestError.file(file, "is not valid YAML: \(describe(error, in: yaml)).")
        } catch {
            throw ManifestError.file(file, "is not valid YAML.")
        }
        guard let root, !root.isNull else { throw ManifestError.file(file, "is empty.") }
        guard case .mapping(let mapping) = root else {
            let found = if case .sequence = root { "a list" } else { "a single value" }
            let line = root.mark.map { " (line \($0.line))" } ?? ""
            throw ManifestError.file(file, "must hold a map of settings at the top, got \(found)\(line).")
        }
        return mapping
    }

    /// The problem and where it is, without Yams' snippet of the source line: that line may hold a secret.
    static func describe(_ error: YamlError, in yaml: String) -> String {
        func located(_ problem: String, _ mark: Mark, _ context: YamlError.Context?) -> String {
            let during = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return "line \(mark.line), column \(mark.column): \(problem)\(during)"
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            return located(problem, mark, context)
        case let .reader(problem, offset, _, _):
            guard let offset else { return problem }
            let line = yaml.utf8.prefix(offset).filter { $0 == UInt8(ascii: "\n") }.count + 1
            return "line \(line): \(problem)"
        case let .duplicatedKeysInMapping(duplicates, context):
            return "line \(context.mark.line): duplicate keys \(duplicates.sorted().joined(separator: ", "))"
        default:
            return "\(error)"
        }
    }
}

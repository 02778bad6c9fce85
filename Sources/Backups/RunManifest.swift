import Foundation
import Storage

/// The record a run writes last to each destination, `<day folder>/<run id>.manifest.json`: its presence marks
/// a complete run, and it holds every file's size and SHA-256 for verify and restore.
public struct RunManifest: Codable, Sendable, Equatable {
    public static let currentFormat = 1
    public static let toolVersion = "0.2.0"
    static let suffix = ".manifest.json"

    public struct File: Codable, Sendable, Equatable {
        /// Relative to the source folder (and to the run's folder on the store).
        public var path: String
        public var size: Int64
        /// Lowercase hex.
        public var sha256: String
        /// The path's exact bytes, base64, when they are not UTF-8 (`path` then shows stray bytes as `%XX`).
        public var pathBytes: String?

        enum CodingKeys: String, CodingKey { case path, size, sha256, pathBytes = "path_bytes" }

        public init(path: String, size: Int64, sha256: String, rawPath: [UInt8]? = nil) {
            self.path = path
            self.size = size
            self.sha256 = sha256
            self.pathBytes = rawPath.map { Data($0).base64EncodedString() }
        }

        /// The path's bytes as the file system held them.
        public var rawPath: [UInt8] { pathBytes.flatMap { Data(base64Encoded: $0) }.map(Array.init) ?? Array(path.utf8) }
    }

    public var formatVersion: Int
    public var tool: String
    public var toolVersion: String
    public var runID: String
    public var backupGUID: String
    public var identifier: String?
    public var deployment: String?
    /// RFC 3339, UTC.
    public var startedAt: String
    public var finishedAt: String
    /// Whether the files are under `<day folder>/<run id>/` (`run_folders: true`) or the day folder itself.
    public var runFolder: Bool
    public var files: [File]

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", tool, toolVersion = "tool_version", runID = "run_id"
        case backupGUID = "backup_guid", identifier, deployment, startedAt = "started_at", finishedAt = "finished_at"
        case runFolder = "run_folder", files
    }

    public init(
        runID: String, backupGUID: String, identifier: String?, deployment: String?, startedAt: Date, finishedAt: Date,
        runFolder: Bool, files: [File]
    ) {
        formatVersion = Self.currentFormat
        tool = "service-backup"
        toolVersion = Self.toolVersion
        self.runID = runID
        self.backupGUID = backupGUID
        self.identifier = identifier
        self.deployment = deployment
        self.startedAt = Timestamp.format(startedAt)
        self.finishedAt = Timestamp.format(finishedAt)
        self.runFolder = runFolder
        self.files = files
    }

    public var totalBytes: Int64 { files.reduce(0) { $0 + $1.size } }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data, key: String) throws -> RunManifest {
        do {
            let manifest = try JSONDecoder().decode(RunManifest.self, from: data)
            guard manifest.formatVersion <= currentFormat else {
                throw SnapshotError("run manifest \(key) has format version \(manifest.formatVersion); this service-backup reads up to \(currentFormat)")
            }
            return manifest
        } catch let error as SnapshotError {
            throw error
        } catch {
            throw SnapshotError("run manifest \(key) cannot be read: \(error)")
        }
    }
}

/// Where one run's objects go on a store.
public struct RunLayout: Sendable, Equatable {
    /// `[<deployment>/]YYYY/MM/DD`
    public var dayFolder: String
    public var runID: String
    public var runFolder: Bool

    public init(dayFolder: String, runID: String, runFolder: Bool) {
        self.dayFolder = dayFolder
        self.runID = runID
        self.runFolder = runFolder
    }

    /// The run id: `<UTC yyyyMMdd'T'HHmmss'Z'>-<first 8 hex of backup_guid>`.
    public static func runID(startedAt: Date, backupGUID: String) -> String {
        let hex = backupGUID.lowercased().filter(\.isHexDigit).prefix(8)
        return Timestamp.compact(startedAt) + "-" + hex
    }

    /// The folder the run's files go to.
    public var filesFolder: String { runFolder ? RemotePath.join(dayFolder, runID) : dayFolder }

    public func key(of relativePath: String) -> String { RemotePath.join(filesFolder, relativePath) }

    public var manifestKey: String { RemotePath.join(dayFolder, runID + RunManifest.suffix) }

    /// Whether `name` (a key's last part below a day folder) is a run id followed by `.manifest.json`.
    static func runID(ofManifestName name: String) -> String? {
        guard name.hasSuffix(RunManifest.suffix) else { return nil }
        let id = String(name.dropLast(RunManifest.suffix.count))
        return isRunID(id) ? id : nil
    }

    static func isRunID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 16, parts[1].count == 8 else { return false }
        let stamp = Array(parts[0])
        return stamp[8] == "T" && stamp[15] == "Z" && stamp[0..<8].allSatisfy(\.isNumber)
            && stamp[9..<15].allSatisfy(\.isNumber) && parts[1].allSatisfy(\.isHexDigit)
    }
}

/// The two UTC time forms runs use.
enum Timestamp {
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func compact(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}

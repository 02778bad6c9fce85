import Foundation
import Manifest
import Transport

/// Where the status file of one manifest lives.
///
/// The folder is `state_dir` when the manifest sets it; otherwise `/var/lib/service-backup` when this user
/// may write there (root, or a systemd unit with `StateDirectory=service-backup`), else
/// `$XDG_STATE_HOME/service-backup` (`~/.local/state/service-backup`). A reader (`status`) looks in those two,
/// in that order. The file name is the manifest's name and a hash of its absolute path, so two manifests on
/// one machine never share a file: `backup-1b2c3d4e5f607182.json`.
public struct StatusLocation: Sendable, Equatable {
    public static let systemFolder = "/var/lib/service-backup"

    /// The folders a status file may be in, the one a writer picks first.
    public var folders: [String]
    public var fileName: String

    public init(folders: [String], fileName: String) {
        self.folders = folders
        self.fileName = fileName
    }

    /// The location for the manifest at `manifestPath` (absolute) with `stateDir` from the manifest.
    public static func of(
        manifestPath: String, stateDir: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        canWrite: (String) -> Bool = FileWriting.canWrite(in:)
    ) -> StatusLocation {
        let name = fileName(for: manifestPath)
        if let stateDir { return StatusLocation(folders: [stateDir], fileName: name) }
        let personal = personalFolder(environment)
        let folders = canWrite(systemFolder) ? [systemFolder, personal] : [personal, systemFolder]
        return StatusLocation(folders: folders, fileName: name)
    }

    /// Where a writer puts the file.
    public var path: String { folders[0] + "/" + fileName }

    /// Where a reader finds the file: the first folder that holds it, or nil.
    public func existingPath(fileExists: (String) -> Bool = FileManager.default.fileExists(atPath:)) -> String? {
        folders.map { $0 + "/" + fileName }.first(where: fileExists)
    }

    /// `$XDG_STATE_HOME/service-backup`, or `$HOME/.local/state/service-backup`.
    static func personalFolder(_ environment: [String: String]) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/service-backup" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/service-backup"
    }

    /// `<manifest name without extension>-<16 hex of FNV-1a 64 of its absolute path>.json`.
    static func fileName(for manifestPath: String) -> String {
        let url = URL(fileURLWithPath: manifestPath)
        var stem = url.deletingPathExtension().lastPathComponent
        stem = String(stem.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }.prefix(64))
        return (stem.isEmpty ? "manifest" : stem) + "-" + StableHash.fnv1a64Hex(manifestPath) + ".json"
    }

    /// The absolute, standardized form of `path` (relative to the working folder), symbolic links kept as they are:
    /// a BOSH job's manifest path stays the same across deploys although its target changes.
    public static func absolute(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: absolute).standardized.path
    }
}

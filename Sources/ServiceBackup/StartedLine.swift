import Backups
import Foundation
import Logging

/// The one version of the tool: what `--version` prints, the start line carries and run manifests record.
public enum ToolVersion {
    public static let current = RunManifest.toolVersion
}

extension Daemon {
    /// What `Service-backup Started` carries: the version, the manifest, its destinations and the next fire time.
    func startedMetadata(now: Date = Date()) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "version": .string(ToolVersion.current),
            "destinations": .array(backupRun.destinations.map { destination in
                .string(destination.name.map { "\($0) (\(destination.kind))" } ?? destination.kind)
            }),
        ]
        if let manifestPath { metadata["config"] = .string(manifestPath) }
        if let lockFile { metadata["lock_file"] = .string(lockFile) }
        if let schedule, !backupRun.destinations.isEmpty, let next = schedule.next(after: now) {
            metadata["next_fire_time"] = .string(next.formatted(.iso8601))
        }
        return metadata
    }
}

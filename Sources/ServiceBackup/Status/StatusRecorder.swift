import Backups
import Foundation
import Logging
import Manifest
import Transport

/// Keeps one manifest's status file and metrics file up to date: when the daemon starts and stops, and after
/// every run. Each update reads the file, changes it and writes it back whole (temporary file, sync, rename)
/// under a lock on its folder, so the daemon and a run on demand take turns. A file that cannot be written is
/// logged (`status file not written`, `metrics file not written`) and never fails or delays a backup beyond the write.
public struct StatusRecorder: Sendable {
    public let location: StatusLocation
    public let manifestPath: String
    public let metricsFile: String?
    public let destinations: [BackupStatus.DestinationID]

    public init(location: StatusLocation, manifestPath: String, metricsFile: String?, destinations: [BackupStatus.DestinationID]) {
        self.location = location
        self.manifestPath = manifestPath
        self.metricsFile = metricsFile
        self.destinations = destinations
    }

    public func daemonStarted(nextRun: Date?, logger: Logger) async {
        await update(logger: logger) { status in
            status.daemon.running = true
            status.daemon.pid = ProcessInfo.processInfo.processIdentifier
            status.daemon.startedAt = Date()
            status.daemon.stoppedAt = nil
            status.nextRunAt = nextRun
        }
    }

    public func daemonStopped(logger: Logger) async {
        await update(logger: logger) { status in
            status.daemon.running = false
            status.daemon.stoppedAt = Date()
            status.nextRunAt = nil
        }
    }

    /// A run of the daemon; `nextRun` is its next fire time.
    public func recordDaemonRun(_ report: RunReport, nextRun: Date?, logger: Logger) async {
        await update(logger: logger) { status in
            status.record(report, trigger: "daemon", destinations: destinations)
            status.nextRunAt = nextRun
        }
    }

    /// A run on demand (`backup`): the daemon's state and next fire time stay as they are.
    public func recordRun(_ report: RunReport, logger: Logger) async {
        await update(logger: logger) { status in
            status.record(report, trigger: "backup", destinations: destinations)
        }
    }

    /// The status as the file has it and the file's path, or nil when there is none yet.
    public func read() throws -> (status: BackupStatus, path: String)? {
        guard let path = location.existingPath() else { return nil }
        return (try Self.read(path), path)
    }

    static func read(_ path: String) throws -> BackupStatus {
        do {
            return try BackupStatus.decoded(from: try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let error as StatusFileError {
            throw StatusFileError("cannot read the status file \(path): \(error)")
        } catch {
            throw StatusFileError("cannot read the status file \(path): \(Self.describe(error))")
        }
    }

    private func update(logger: Logger, _ change: @escaping @Sendable (inout BackupStatus) -> Void) async {
        let path = location.path
        let folder = location.folders[0]
        let manifestPath = manifestPath
        let metricsFile = metricsFile
        let outcome = try? await onOwnThread { _ -> [(String, String, String)] in
            var problems: [(String, String, String)] = []
            func apply() {
                var status = BackupStatus(manifest: manifestPath, updatedAt: Date())
                if FileManager.default.fileExists(atPath: path) {
                    do {
                        status = try Self.read(path)
                    } catch {
                        problems.append(("status file unreadable, starting afresh", path, "\(error)"))
                    }
                }
                change(&status)
                status.manifest = manifestPath
                status.updatedAt = Date()
                do {
                    try FileWriting.replace(path, with: try status.encoded())
                } catch {
                    problems.append(("status file not written", path, Self.describe(error)))
                }
                if let metricsFile {
                    do {
                        try FileWriting.replace(metricsFile, with: Data(MetricsText.render(status).utf8))
                    } catch {
                        problems.append(("metrics file not written", metricsFile, Self.describe(error)))
                    }
                }
            }
            do {
                try FileWriting.withExclusiveLock(on: folder) { apply() }
            } catch {
                apply()  // the folder cannot be made or opened: the write says why; the metrics file may still be written
            }
            return problems
        }
        for (message, file, error) in outcome ?? [] {
            logger.error("\(message)", metadata: ["path": .string(file), "error": .string(error)])
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? CocoaError, let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError {
            return "\(error.code == .fileReadNoSuchFile ? "no such file" : underlying.localizedDescription)"
        }
        return "\(error)"
    }
}

extension Service {
    /// The recorder of this manifest's status and metrics files.
    public var statusRecorder: StatusRecorder {
        let manifest = StatusLocation.absolute(manifestPath)
        return StatusRecorder(
            location: StatusLocation.of(manifestPath: manifest, stateDir: configuration.status.stateDir),
            manifestPath: manifest, metricsFile: configuration.status.metricsFile,
            destinations: destinations.map { BackupStatus.DestinationID(name: $0.name, kind: $0.kind) })
    }
}

import Cron
import Foundation
import LagerLog
import Logging
import Manifest
import Storage
import Stores

/// Everything the commands need from one manifest: its settings, its schedule and its destinations.
public struct Service: Sendable {
    public let configuration: BackupConfiguration
    /// Nil when there are no destinations (the schedule is then not required).
    public let schedule: CronSchedule?
    public let destinations: [Destination]
    /// The file the settings came from, which names the lock all its runs share.
    public var manifestPath: String? = nil

    /// Loads and checks the manifest at `path`; a `ManifestError` names the file or key at fault.
    public static func load(path: String, now: Date = Date()) throws -> Service {
        let configuration = try ManifestLoader.load(path: path)
        var schedule: CronSchedule?
        if !configuration.destinations.isEmpty {
            let parsed: CronSchedule
            do {
                parsed = try CronSchedule(parsing: configuration.cronSchedule)
            } catch {
                throw ManifestError("Invalid config - cron_schedule \"\(configuration.cronSchedule)\": \(error)\n\(configuration.missingPropertiesMessage)")
            }
            guard parsed.next(after: now) != nil else {
                throw ManifestError("Invalid config - cron_schedule \"\(configuration.cronSchedule)\" never fires")
            }
            schedule = parsed
        }
        let destinations = try configuration.destinations.enumerated().map { index, destination in
            do {
                return try destination.makeDestination()
            } catch {
                throw ManifestError("Invalid config - destinations[\(index)] (\(destination.typeName)): \(error)")
            }
        }
        var service = Service(configuration: configuration, schedule: schedule, destinations: destinations)
        service.manifestPath = path
        return service
    }

    /// The lock file every run of this manifest holds (none for settings that came from no file).
    public var lockFile: String? { manifestPath.map { ManifestLock.path(forManifest: $0) } }

    public var backupRun: BackupRun { BackupRun(configuration: configuration, destinations: destinations) }

    public var daemon: Daemon {
        var daemon = Daemon(configuration: configuration, schedule: schedule, backupRun: backupRun)
        daemon.manifestPath = manifestPath
        daemon.lockFile = lockFile
        return daemon
    }

    /// The logger every command logs with: lager JSON lines on stdout.
    public static func bootstrapLogging(to sink: LineSink = .standardOutput) -> Logger {
        LoggingSystem.bootstrap { _ in LagerLogHandler(source: "ServiceBackup", sink: sink) }
        return Logger(label: "ServiceBackup")
    }

    /// The destinations `name` selects: those with that `name` or, failing that, of that type; all when nil.
    public func destinations(named name: String?) throws -> [Destination] {
        guard let name else { return destinations }
        let named = destinations.filter { $0.name == name }
        let selected = named.isEmpty ? destinations.filter { $0.kind == name } : named
        guard !selected.isEmpty else {
            let known = destinations.map { $0.name ?? $0.kind }.joined(separator: ", ")
            throw ManifestError("--destination \(name) names no destination of the manifest (it has: \(known.isEmpty ? "none" : known))")
        }
        return selected
    }
}

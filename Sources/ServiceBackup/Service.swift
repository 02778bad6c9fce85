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
    /// The manifest's path as given to `load`.
    public var manifestPath: String = ""
    /// The manifest's text as loaded (it holds secrets: it only ever goes to the daemon's next image, in memory).
    public var manifestText: String? = nil
    /// What the manifest says that is allowed but probably not meant, one sentence each naming the key.
    public var warnings: [String] = []

    /// Loads and checks the manifest at `path` (or `text`, the manifest that was there, when given); a
    /// `ManifestError` names the file or key at fault.
    public static func load(path: String, text: String? = nil, now: Date = Date()) throws -> Service {
        let text = try text ?? ManifestLoader.readText(at: path)
        let (configuration, manifestWarnings) = try ManifestLoader.inspect(yaml: text, file: path)
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
                let label = DestinationLabel.text(path: "destinations[\(index)]", name: destination.name, type: destination.typeName)
                let reason = DestinationLabel.withoutTypePrefix("\(error)", type: destination.typeName)
                throw ManifestError("Invalid config - \(label): \(reason)")
            }
        }
        var service = Service(
            configuration: configuration, schedule: schedule, destinations: destinations, manifestPath: path, manifestText: text)
        service.warnings = manifestWarnings
            + (schedule.map { ScheduleWarnings.warnings(for: $0, configuration: configuration, now: now) } ?? [])
        return service
    }

    /// The lock file every run of this manifest holds (none for settings that came from no file).
    public var lockFile: String? { manifestPath.isEmpty ? nil : ManifestLock.path(forManifest: manifestPath) }

    public var backupRun: BackupRun { BackupRun(configuration: configuration, destinations: destinations) }

    public var daemon: Daemon {
        var daemon = Daemon(configuration: configuration, schedule: schedule, backupRun: backupRun, status: statusRecorder)
        daemon.warnings = warnings
        daemon.manifestPath = manifestPath.isEmpty ? nil : manifestPath
        daemon.lockFile = lockFile
        daemon.manifestText = manifestText
        return daemon
    }

    /// The logger every command logs with: lager JSON lines on stdout, in `format` (see ``logFormat(flag:default:)``).
    /// Called once per process, after the manifest is read (its errors go to stderr as text, not as log lines).
    public static func bootstrapLogging(to sink: LineSink = .standardOutput, format: LogTimestampFormat = .commandDefault) -> Logger {
        LoggingSystem.bootstrap { _ in LagerLogHandler(source: "ServiceBackup", sink: sink, format: format) }
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

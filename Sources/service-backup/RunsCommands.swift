import ArgumentParser
import Backups
import Foundation
import LagerLog
import Logging
import ServiceBackup
import Storage

/// The options the commands on destinations share.
struct StoreOptions: ParsableArguments {
    @Argument(help: "The manifest: a rendered backup.yml, a BOSH deployment manifest, or the legacy form.")
    var config: String

    @Option(help: "Only the destination with this name (or of this type, when none has the name).")
    var destination: String?

    /// The whole manifest, the selected destinations, and a logger on stderr (stdout is the command's answer).
    func load() throws -> (service: Service, destinations: [Destination], logger: Logger) {
        let service = try loadService(config)
        do {
            let destinations = try service.destinations(named: destination)
            let format = service.logFormat(flag: nil, default: .commandDefault)
            return (service, destinations, Service.bootstrapLogging(to: .standardError, format: format))
        } catch {
            printError("\(error)")
            throw ExitStatus.failure
        }
    }
}

/// A command that works on the manifest's destinations (`list`, `verify`, `restore`, `prune`, `check`). It ends the
/// connections their stores keep when it is done, whether it succeeded or threw, as a run does: an scp server sees
/// each SSH session end with a disconnect.
protocol DestinationsCommand: AsyncParsableCommand {
    var options: StoreOptions { get }
    func run(_ service: Service, _ destinations: [Destination], logger: Logger) async throws
}

extension DestinationsCommand {
    func run() async throws {
        let (service, destinations, logger) = try options.load()
        do {
            try await run(service, destinations, logger: logger)
        } catch {
            await destinations.closeConnections()
            throw error
        }
        await destinations.closeConnections()
    }
}

/// Exit 1: the command ran, and found something wrong with a backup.
let mismatchStatus = ExitCode(1)

/// The runs of a destination, or an error printed and exit 1.
func catalog(_ destination: Destination, scratch: PrivateFolder, logger: Logger) async throws -> [RunSummary] {
    do {
        return try await Catalog(store: destination.store).runs(scratch: scratch, observer: TransferObserver(kind: destination.kind, logger: logger))
    } catch {
        printError("\(destination.label): cannot list runs: \(error)")
        throw mismatchStatus
    }
}

struct ListCommand: DestinationsCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the runs on each destination, newest first, with their state: complete, incomplete, superseded or damaged."
    )

    @OptionGroup var options: StoreOptions

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    func run(_ service: Service, _ destinations: [Destination], logger: Logger) async throws {
        let scratch = try PrivateFolder()
        var rows: [[String: JSONValue]] = []
        for destination in destinations {
            for run in try await catalog(destination, scratch: scratch, logger: logger) {
                rows.append([
                    "destination": .string(destination.name ?? destination.kind), "type": .string(destination.kind),
                    "run_id": run.runID.map(JSONValue.string) ?? .null, "day_folder": .string(run.dayFolder),
                    "state": .string(run.state.rawValue), "files": .number(Double(run.files)), "bytes": .number(Double(run.bytes)),
                    "identifier": run.manifest?.identifier.map(JSONValue.string) ?? .null,
                    "started_at": run.manifest.map { .string($0.startedAt) } ?? .null,
                    "finished_at": run.manifest.map { .string($0.finishedAt) } ?? .null,
                    "problems": .array(run.problems.map(JSONValue.string)),
                ])
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
            return
        }
        let header = ["DESTINATION", "RUN ID", "DAY FOLDER", "STATE", "FILES", "BYTES", "IDENTIFIER"]
        let table = rows.map { row in
            ["destination", "run_id", "day_folder", "state", "files", "bytes", "identifier"].map { row[$0]?.text ?? "-" }
        }
        let widths = header.indices.map { column in ([header] + table).map { $0[column].count }.max() ?? 0 }
        for line in [header] + table {
            print(line.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
    }
}

struct VerifyCommand: DestinationsCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that a run's files are on each destination with the manifest's sizes (and, with --read-data, SHA-256). Exit 0 when all match, 1 otherwise."
    )

    @OptionGroup var options: StoreOptions

    @Option(name: .customLong("run"), help: "The run id to verify (default: the newest complete run).")
    var runID: String?

    @Flag(help: "Download every file and check its SHA-256 against the manifest.")
    var readData = false

    func run(_ service: Service, _ destinations: [Destination], logger: Logger) async throws {
        let scratch = try PrivateFolder()
        var failed = false
        for destination in destinations {
            let runs = try await catalog(destination, scratch: scratch, logger: logger)
            guard let run = runs.select(runID: runID, date: nil) else {
                printError("\(destination.label): " + (runID.map { "no run \($0)" } ?? "no complete run"))
                failed = true
                continue
            }
            do {
                let observer = TransferObserver(kind: destination.kind, logger: logger)
                let result = try await Verifier(destination: destination).verify(run, readData: readData, scratch: scratch, observer: observer)
                let what = "\(destination.label): run \(run.runID ?? "-") in \(run.dayFolder)"
                if result.passed {
                    print("\(what): \(result.checked) files, \(result.bytes) bytes: " + (readData ? "sizes and SHA-256 match" : "sizes match"))
                } else {
                    failed = true
                    print("\(what): \(result.mismatches.count) of \(result.checked) files do not match:")
                    result.mismatches.forEach { print("  \($0)") }
                }
            } catch {
                printError("\(destination.label): verify failed: \(error)")
                failed = true
            }
        }
        if failed { throw mismatchStatus }
    }
}

struct RestoreCommand: DestinationsCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Download a complete run into a folder, checking every file's SHA-256 before it takes its name."
    )

    @OptionGroup var options: StoreOptions

    @Option(help: "The folder to restore into; must be empty unless --force.")
    var to: String

    @Option(name: .customLong("run"), help: "The run id to restore (default: the newest complete run).")
    var runID: String?

    @Option(help: "Restore the newest complete run of this day, YYYY/MM/DD.")
    var date: String?

    @Flag(help: "Restore into a folder that is not empty, replacing files of the same names.")
    var force = false

    @Flag(help: "Restore a run that has no manifest or lacks files, without checksums where there are none.")
    var allowIncomplete = false

    func validate() throws {
        if runID != nil, date != nil { throw ValidationError("--run and --date cannot be used together") }
    }

    func run(_ service: Service, _ destinations: [Destination], logger: Logger) async throws {
        guard let destination = destinations.first else {
            printError("the manifest has no destination")
            throw ExitStatus.failure
        }
        let scratch = try PrivateFolder()
        let runs = try await catalog(destination, scratch: scratch, logger: logger)
        guard let run = runs.select(runID: runID, date: date) else {
            printError("\(destination.label): " + (runID.map { "no run \($0)" } ?? date.map { "no complete run on \($0)" } ?? "no complete run"))
            throw mismatchStatus
        }
        do {
            let observer = TransferObserver(kind: destination.kind, logger: logger)
            let restored = try await Restorer(destination: destination)
                .restore(run, into: to, force: force, allowIncomplete: allowIncomplete, observer: observer)
            print("restored run \(run.runID ?? "-") of \(run.dayFolder) from \(destination.label) into \(to): \(restored.files) files, \(restored.bytes) bytes")
            guard restored.problems.isEmpty else {
                printError("restored what is there; \(restored.problems.count) files are not as the manifest says:")
                restored.problems.forEach { printError("  \($0)") }
                throw mismatchStatus
            }
        } catch let error as ExitCode {
            throw error
        } catch {
            printError("restore failed: \(error)")
            throw mismatchStatus
        }
    }
}

/// The few JSON values `list --json` prints.
enum JSONValue: Encodable {
    case string(String), number(Double), array([JSONValue]), null

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .number(let number): try container.encode(Int64(number))
        case .array(let values): try container.encode(values)
        case .null: try container.encodeNil()
        }
    }

    var text: String {
        switch self {
        case .string(let text): text
        case .number(let number): String(Int64(number))
        case .array(let values): values.map(\.text).joined(separator: ",")
        case .null: "-"
        }
    }
}

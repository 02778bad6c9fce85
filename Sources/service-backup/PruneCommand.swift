import ArgumentParser
import Backups
import Foundation
import Logging
import ServiceBackup
import Storage

struct PruneCommand: DestinationsCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete the runs each destination's retention lets go, as a successful run does; with --dry-run only print them.",
        discussion: """
            A complete run goes when it is older than retention.keep_days and not among the newest retention.keep_runs \
            complete runs; never the newest complete run, a run younger than a day, or a file a kept run lists. A run \
            without a manifest goes once older than retention.keep_incomplete_days (default 7). Destinations without \
            retention are left alone. Exit 0, or 1 when a destination could not be pruned.
            """
    )

    @OptionGroup var options: StoreOptions

    @Flag(help: "Print what would be deleted and delete nothing.")
    var dryRun = false

    func run(_ service: Service, _ destinations: [Destination], logger: Logger) async throws {
        let scratch = try PrivateFolder()
        var failed = false
        for destination in destinations {
            guard let policy = destination.retention else {
                print("\(destination.label): no retention set, nothing deleted")
                continue
            }
            do {
                let observer = TransferObserver(kind: destination.kind, logger: logger)
                let deletions = try await Pruner(destination: destination, policy: policy).prune(dryRun: dryRun, scratch: scratch, observer: observer)
                let verb = dryRun ? "would delete" : "deleted"
                for deletion in deletions {
                    let run = deletion.run
                    let what = run.runID.map { "run \($0) in \(run.dayFolder)" } ?? "files no run claims in \(run.dayFolder)"
                    let shared = deletion.shared > 0 ? ", keeping \(deletion.shared) files a kept run lists" : ""
                    print("\(destination.label): \(verb) \(what) (\(run.state.rawValue), \(deletion.files.count) files"
                        + (deletion.manifestKey != nil ? " and its manifest" : "") + "\(shared))")
                }
                print("\(destination.label): \(verb) \(deletions.count) runs in all")
            } catch {
                printError("\(destination.label): prune failed: \(StoreError.from(error))")
                failed = true
            }
        }
        if failed { throw mismatchStatus }
    }
}

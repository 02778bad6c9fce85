import ArgumentParser
import Foundation
import ServiceBackup

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what the last runs did on each destination, from the status file the daemon and backup write.",
        discussion: """
            The status file is in the manifest's state_dir (default /var/lib/service-backup when writable, else \
            $XDG_STATE_HOME/service-backup); run status as the daemon's user or as root. Exit 0 with the status, \
            1 when there is none yet or it cannot be read, 2 on a bad manifest.
            """
    )

    @Argument(help: "The manifest: a rendered backup.yml, a BOSH deployment manifest, or the legacy form.")
    var config: String

    @Flag(help: "Print the status file's JSON instead of a table.")
    var json = false

    func run() async throws {
        let recorder = try loadService(config).statusRecorder
        do {
            guard let (status, path) = try recorder.read() else {
                let looked = recorder.location.folders.map { $0 + "/" + recorder.location.fileName }.joined(separator: " or ")
                printError("no status yet for \(recorder.manifestPath): \(looked) does not exist; "
                    + "the daemon writes it when it starts and after each run, backup after its run")
                throw mismatchStatus
            }
            print(json ? String(decoding: try status.encoded(), as: UTF8.self) : StatusTable.render(status, file: path))
        } catch let error as StatusFileError {
            printError("\(error)")
            throw mismatchStatus
        }
    }
}

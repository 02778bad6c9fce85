import ArgumentParser
import Backups
import Foundation
import Logging
import ServiceBackup
import Storage

struct CheckCommand: DestinationsCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Prove a manifest works before a backup needs it: each destination's credentials, reachability, clock, host key and a canary object; the schedule; the source folder.",
        discussion: """
            Destinations are checked in parallel. Each one is reached with its credentials and prepared (its bucket, \
            container or folder exists or is created); a canary object `.service-backup-check-<random>` is written \
            under its base path, read back, compared and deleted; this machine's clock is compared with an HTTP \
            store's Date (warn beyond 5 minutes, fail beyond 15, where signed requests are refused); an scp \
            server's host key is compared with its pin. Then the next 5 fire times of the schedule and the source \
            folder. One line per finding: ok, warn or fail, what it is about, and what was found; never a secret. \
            Exit 0 when nothing failed, 1 when something did, 2 on a bad manifest.
            """
    )

    @OptionGroup var options: StoreOptions

    func run(_ service: Service, _ destinations: [Destination], logger: Logger) async throws {
        let scratch = try PrivateFolder()
        let results = await withTaskGroup(of: (Int, [StoreFinding]).self) { group in
            for (index, destination) in destinations.enumerated() {
                group.addTask {
                    let observer = TransferObserver(kind: destination.kind, logger: logger)
                    return (index, await StoreCheck(destination: destination).run(scratch: scratch, observer: observer))
                }
            }
            var results = [[StoreFinding]](repeating: [], count: destinations.count)
            for await (index, findings) in group { results[index] = findings }
            return results
        }
        var lines: [(subject: String, finding: StoreFinding)] = []
        for (destination, findings) in zip(destinations, results) {
            lines += findings.map { (destination.label, $0) }
        }
        if destinations.isEmpty {
            lines.append(("destinations", StoreFinding(.warn, "none configured: backups are skipped")))
        }
        if let schedule = service.schedule {
            let times = schedule.nextTimes(after: Date(), count: 5).map { RFC3339.format($0, in: schedule.timeZone) }
            let finding = times.count == 5
                ? StoreFinding(.ok, "\(service.configuration.cronSchedule): next \(times.joined(separator: ", "))")
                : StoreFinding(.fail, "\(service.configuration.cronSchedule) fires fewer than 5 more times: \(times.joined(separator: ", "))")
            lines.append(("schedule", finding))
        }
        if !destinations.isEmpty {
            lines.append(("source", SourceFolderCheck.run(service.configuration.sourceFolder)))
        }
        for (subject, finding) in lines {
            print("\(finding.level.rawValue.padding(toLength: 4, withPad: " ", startingAt: 0)) \(subject): \(finding.text)")
        }
        if lines.contains(where: { $0.finding.level == .fail }) { throw mismatchStatus }
    }
}

import Backups
import Foundation
import Logging
import Storage

/// Retention after a run: each destination that has the run whole loses the old runs its `retention` lets go,
/// all such destinations at once, once the run's own work (cleanup included) is done.
extension BackupRun {
    func applyRetention(after report: RunReport, logger base: Logger) async {
        let due = zip(destinations, report.destinations).filter { $0.0.retention != nil && $0.1.outcome == .succeeded }.map(\.0)
        guard !due.isEmpty, !Task.isCancelled else { return }
        let scratch: PrivateFolder
        do {
            scratch = try PrivateFolder()
        } catch {
            base.error("retention failed", metadata: ["error": .string("\(error)")])
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for destination in due {
                group.addTask { await applyRetention(to: destination, scratch: scratch, logger: logger(for: destination, base)) }
            }
        }
    }

    /// Applies `destination`'s retention; a failure is logged and never fails the backup.
    private func applyRetention(to destination: Destination, scratch: PrivateFolder, logger: Logger) async {
        guard let policy = destination.retention else { return }
        // An observer of its own: what retention reads is no part of the run's counts.
        let observer = TransferObserver(kind: destination.kind, logger: logger)
        do {
            let deleted = try await Pruner(destination: destination, policy: policy).prune(dryRun: false, scratch: scratch, observer: observer)
            logger.info("\(destination.kind) retention completed", metadata: ["runs_deleted": .stringConvertible(deleted.count)])
        } catch {
            logger.error("\(destination.kind) retention failed", metadata: ["error": .string("\(StoreError.from(error))")])
        }
    }
}

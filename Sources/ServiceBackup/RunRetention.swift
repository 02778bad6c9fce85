import Backups
import Foundation
import Logging
import Storage

/// Retention after a run: once a destination has the run whole, its old runs go as its `retention` says.
extension BackupRun {
    /// Applies `destination`'s retention; a failure is logged and never fails the backup.
    func applyRetention(to destination: Destination, scratch: PrivateFolder, logger: Logger) async {
        guard let policy = destination.retention, !Task.isCancelled else { return }
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

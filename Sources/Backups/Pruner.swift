import Foundation
import Logging
import Storage

/// Applies a destination's retention to its store: lists its runs, plans with `Retention`, deletes.
///
/// Order, so that a prune stopped at any point leaves nothing that lies: runs go oldest first, and each
/// run's manifest goes BEFORE its files, the mirror of a run writing its files first and its manifest last.
/// A manifest on the store therefore always describes files that are all there; a prune stopped between the
/// two leaves files no manifest claims, which `list` shows as an incomplete run of that old date and the next
/// prune removes once it is older than `keep_incomplete_days`. (Files first would leave, for a while or for
/// good, a manifest naming missing files: a damaged run that verify and restore would trip over.)
public struct Pruner: Sendable {
    public let destination: Destination
    public let policy: RetentionPolicy

    public init(destination: Destination, policy: RetentionPolicy) {
        self.destination = destination
        self.policy = policy
    }

    /// Deletes what the policy lets go (nothing when `dryRun`) and returns it, oldest run first. Each deleted
    /// run is logged on one line with its counts.
    @discardableResult
    public func prune(dryRun: Bool, now: Date = Date(), scratch: PrivateFolder, observer: TransferObserver) async throws -> [RetentionDeletion] {
        let runs = try await Catalog(store: destination.store).runs(scratch: scratch, observer: observer)
        let plan = Retention(policy: policy).plan(runs, now: now)
        guard !dryRun else { return plan }
        let store = destination.store
        for deletion in plan {
            if let manifestKey = deletion.manifestKey { try await store.delete([manifestKey]) }
            for batch in stride(from: 0, to: deletion.files.count, by: 1000) {
                try await store.delete(Array(deletion.files[batch..<min(batch + 1000, deletion.files.count)]))
            }
            observer.logger.info("\(store.kind) retention deleted run", metadata: Self.metadata(of: deletion))
        }
        return plan
    }

    /// What a deleted run's log line carries.
    static func metadata(of deletion: RetentionDeletion) -> Logger.Metadata {
        [
            "run_id": .string(deletion.run.runID ?? "-"), "day_folder": .string(deletion.run.dayFolder),
            "state": .string(deletion.run.state.rawValue), "files_deleted": .stringConvertible(deletion.files.count),
            "files_kept_shared": .stringConvertible(deletion.shared), "manifest_deleted": .stringConvertible(deletion.manifestKey != nil),
            "bytes": .stringConvertible(deletion.run.bytes),
        ]
    }
}

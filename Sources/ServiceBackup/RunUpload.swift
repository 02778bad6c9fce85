import Backups
import Foundation
import Logging
import Storage
import Transport

/// The upload step of a run: the snapshot goes to every destination at once; each destination's run
/// manifest is written last, once all its files are there and every destination read the same bytes.
extension BackupRun {
    func upload(logger: Logger, report: inout RunReport) async {
        logger.info("Upload backup started")
        let clock = ContinuousClock.now
        let deploymentFolder = configuration.addDeploymentNameToBackupPath ? configuration.deploymentName : nil
        let snapshot: Snapshot
        let scratch: PrivateFolder
        do {
            let sourceFolder = configuration.sourceFolder
            let remoteFolder = Snapshot.remoteFolder(for: report.startedAt, deploymentName: deploymentFolder)
            snapshot = try await onOwnThread { _ in try Snapshot.scan(sourceFolder: sourceFolder, remoteFolder: remoteFolder) }
            scratch = try PrivateFolder()
        } catch {
            logger.error("Upload backup completed with error", metadata: ["error": .string("\(error)")])
            report.failedStep = .snapshot
            report.error = "\(error)"
            return
        }
        let layout = RunLayout(dayFolder: snapshot.remoteFolder, runID: report.runID, runFolder: configuration.runFolders)
        progress?.begin(totalBytes: snapshot.totalBytes)
        noteWarnings(of: snapshot, logger: logger, into: &report)

        // Files first, to every destination at once.
        var outcomes = await withTaskGroup(of: (Int, FilesOutcome).self) { group in
            for (index, destination) in destinations.enumerated() {
                group.addTask { (index, await writeFiles(snapshot, to: destination, layout: layout, logger: logger)) }
            }
            var outcomes = [FilesOutcome?](repeating: nil, count: destinations.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes.map { $0! }
        }
        // Destinations that read different bytes of a file saw it change: none of them has a sound copy.
        if let torn = Self.tornFile(in: outcomes.compactMap(\.digests)) {
            let error = StoreError(.permanent, "\(torn) changed while it was being backed up: destinations read different bytes")
            for index in outcomes.indices where outcomes[index].digests != nil { outcomes[index].fail(error) }
        }
        // Then each destination's run manifest, last.
        let run = report
        report.destinations = await withTaskGroup(of: (Int, DestinationReport).self) { group in
            for (index, destination) in destinations.enumerated() {
                let outcome = outcomes[index]
                group.addTask {
                    (index, await finish(outcome, on: destination, snapshot: snapshot, layout: layout, run: run,
                                         scratch: scratch, logger: logger))
                }
            }
            var reports = [DestinationReport?](repeating: nil, count: destinations.count)
            for await (index, report) in group {
                reports[index] = report
                progress?.finish(report.label, outcome: report.outcome.rawValue)
            }
            return reports.map { $0! }
        }
        withExtendedLifetime(scratch) {}

        let failures = report.destinations.filter { $0.outcome != .succeeded }
        guard failures.isEmpty else {
            let texts = failures.map { failure in
                failure.outcome == .cancelled ? "\(failure.kind) upload cancelled" : "\(failure.label): \(failure.error ?? "failed")"
            }
            report.failedStep = .upload
            report.error = texts.joined(separator: "; ")
            logger.error("Upload backup completed with error", metadata: ["error": .string(report.error!)])
            return
        }
        logger.info("Upload backup completed successfully", metadata: [
            "duration_in_seconds": .stringConvertible((ContinuousClock.now - clock).inSeconds),
            "size_in_bytes": .stringConvertible(snapshot.totalBytes),
        ])
    }

    /// What writing the files to one destination came to.
    struct FilesOutcome: Sendable {
        var digests: [String: ContentDigest]?
        var error: (any Error)?
        var observer: TransferObserver
        var started: ContinuousClock.Instant

        mutating func fail(_ failure: any Error) {
            digests = nil
            error = failure
        }
    }

    func logger(for destination: Destination, _ base: Logger) -> Logger {
        var logger = base
        if let name = destination.name { logger[metadataKey: "destination_name"] = .string(name) }
        return logger
    }

    private func writeFiles(_ snapshot: Snapshot, to destination: Destination, layout: RunLayout, logger base: Logger) async -> FilesOutcome {
        let logger = logger(for: destination, base)
        logger.info("about to upload \(snapshot.sourceFolder) to \(destination.store.location(of: layout.filesFolder))")
        let observer = TransferObserver(kind: destination.kind, logger: logger)
        progress?.track(destination.label, observer: observer)
        let writer = RunWriter(destination: destination, layout: layout, staleAge: configuration.staleUploadAge)
        let started = ContinuousClock.now
        do {
            return FilesOutcome(digests: try await writer.writeFiles(snapshot, observer: observer), observer: observer, started: started)
        } catch {
            return FilesOutcome(error: error, observer: observer, started: started)
        }
    }

    private func finish(
        _ outcome: FilesOutcome, on destination: Destination, snapshot: Snapshot, layout: RunLayout, run: RunReport,
        scratch: PrivateFolder, logger base: Logger
    ) async -> DestinationReport {
        let logger = logger(for: destination, base)
        var error = outcome.error
        if let digests = outcome.digests {
            do {
                let files = try snapshot.files.map { file in
                    guard let digest = digests[file.relativePath] else {
                        throw StoreError(.permanent, "\(file.relativePath) has no SHA-256: it was not uploaded")
                    }
                    return RunManifest.File(path: file.relativePath, size: file.size, sha256: digest.sha256Hex, rawPath: file.rawPath)
                }
                let manifest = RunManifest(
                    runID: layout.runID, backupGUID: run.backupGUID, identifier: run.identifier,
                    deployment: configuration.deploymentName, startedAt: run.startedAt, finishedAt: Date(),
                    runFolder: layout.runFolder, files: files)
                try await RunWriter(destination: destination, layout: layout).writeManifest(manifest, in: scratch, observer: outcome.observer)
            } catch let failure {
                error = failure
            }
        }
        let seconds = (ContinuousClock.now - outcome.started).inSeconds
        var report = DestinationReport(
            name: destination.name, kind: destination.kind, outcome: .succeeded, files: outcome.observer.objects,
            bytes: outcome.observer.bytes, seconds: seconds, retries: outcome.observer.retries)
        guard let error else {
            report.files = snapshot.files.count
            report.bytes = snapshot.totalBytes
            report.manifestKey = layout.manifestKey
            let rate = seconds > 0 ? Double(snapshot.totalBytes) / 1_048_576 / seconds : 0
            logger.info("\(destination.kind) completed")
            logger.info("\(destination.kind) upload summary", metadata: [
                "files": .stringConvertible(report.files), "bytes": .stringConvertible(report.bytes),
                "seconds": .stringConvertible(seconds), "mib_per_second": .stringConvertible((rate * 100).rounded() / 100),
                "retries": .stringConvertible(report.retries), "run_id": .string(layout.runID),
            ])
            return report
        }
        let storeError = StoreError.from(error)
        if storeError.kind == .cancelled || Task.isCancelled {
            report.outcome = .cancelled
            report.errorKind = .cancelled
            return report
        }
        report.outcome = .failed
        report.errorKind = storeError.kind
        report.error = storeError.message
        logger.error("\(destination.kind) upload failed", metadata: ["error": .string(storeError.message)])
        return report
    }

    /// The first file two destinations read differently, if any.
    static func tornFile(in digests: [[String: ContentDigest]]) -> String? {
        guard let first = digests.first else { return nil }
        for other in digests.dropFirst() {
            for (path, digest) in first where other[path].map({ $0 != digest }) ?? false { return path }
        }
        return nil
    }
}

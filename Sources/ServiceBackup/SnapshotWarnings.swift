import Backups
import Logging

/// What a run tells the operator about its source folder before it uploads: an empty folder, and every
/// entry left out or stored under another name. Each is logged and kept in the run report; none fails the
/// run (an empty folder makes a complete backup of no files: the source executable may have had nothing to dump).
extension BackupRun {
    static func emptySourceWarning(_ folder: String) -> String {
        "source folder \(folder) is empty: the run records a backup of no files"
    }

    func noteWarnings(of snapshot: Snapshot, logger: Logger, into report: inout RunReport) {
        var warnings = snapshot.warnings
        if snapshot.files.isEmpty {
            warnings.insert(Self.emptySourceWarning(snapshot.sourceFolder), at: 0)
        }
        for warning in warnings {
            logger.warning("\(warning)", metadata: ["source_folder": .string(snapshot.sourceFolder)])
        }
        report.emptySource = snapshot.files.isEmpty
        report.warnings += warnings
    }
}

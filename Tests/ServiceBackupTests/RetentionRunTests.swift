import Backups
import Foundation
import Logging
import Manifest
import Storage
import StorageTestKit
import Testing
@testable import ServiceBackup

/// Retention as part of a run: old runs go after a successful run, and a failing retention never fails the backup.
struct RetentionRunTests: Sendable {
    let folder: TemporaryFolder
    let store = MemoryStore()
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    init() throws {
        folder = try TemporaryFolder()
        try folder.write("source/a.rdb", "alpha")
    }

    func backUp(at now: Date, log: CapturedLog = CapturedLog()) async -> RunReport {
        let destination = Destination(name: "nightly", store: store, concurrency: 2, retention: RetentionPolicy(keepRuns: 1))
        return await BackupRun(configuration: BackupConfiguration(sourceFolder: folder.file("source")), destinations: [destination])
            .perform(logger: log.logger, now: now)
    }

    @Test func aSuccessfulRunPrunesWhatFallsOutside() async throws {
        _ = await backUp(at: Self.start)
        _ = await backUp(at: Self.start + 2 * 86_400)
        let log = CapturedLog()
        let last = await backUp(at: Self.start + 4 * 86_400, log: log)
        #expect(last.succeeded)
        // Every run is days old by the clock: keep_runs 1 leaves the newest only, each earlier one went after the next.
        let manifests = store.keys.filter { $0.hasSuffix(".manifest.json") }
        #expect(manifests == [try #require(last.destinations.first?.manifestKey)])
        #expect(store.keys.count == 2)
        let deleted = log.objects.filter { ($0["message"] as? String) == "ServiceBackup.memory retention deleted run" }
        #expect(deleted.count == 1)
        let data = try #require(deleted.first?["data"] as? [String: Any])
        #expect(data["destination_name"] as? String == "nightly" && "\(data["files_deleted"] ?? "")" == "1")
        #expect("\(log.data(of: "ServiceBackup.memory retention completed")?["runs_deleted"] ?? "")" == "1")
    }

    @Test func aFailingRetentionIsLoggedAndTheBackupStillSucceeds() async throws {
        _ = await backUp(at: Self.start)
        store.failNext(.list, .permanent)
        let log = CapturedLog()
        let report = await backUp(at: Self.start + 4 * 86_400, log: log)
        #expect(report.succeeded)
        #expect(log.data(of: "ServiceBackup.memory retention failed")?["error"] != nil)
        #expect(store.keys.filter { $0.hasSuffix(".manifest.json") }.count == 2)
    }
}

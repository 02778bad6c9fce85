import Backups
import Foundation
import Manifest
import Storage
import StorageTestKit
import Testing
import Transport
@testable import ServiceBackup

/// A file changed while its upload is under way fails the run, naming it, whatever the change: replaced by a
/// rename (how Redis saves its dump), rewritten in place, shrunk. Timestamps are put back to the snapshot's
/// so that only the open-once descriptor, the inode and the change time can tell.
struct ChangedSourceFileTests: Sendable {
    let folder: TemporaryFolder
    let source: String
    let file: String
    static let content = String(repeating: "o", count: 4000)

    init() throws {
        folder = try TemporaryFolder()
        source = folder.file("source")
        try folder.write("source/dump.rdb", Self.content)
        file = folder.file("source/dump.rdb")
    }

    /// Runs a backup to a store that holds every put; `change` runs while they wait.
    func runChanging(_ change: @Sendable () throws -> Void) async throws -> (RunReport, MemoryStore) {
        let store = MemoryStore()
        store.holdPuts()
        let destination = Destination(name: "m", store: store, concurrency: 1)
        let task = Task {
            await BackupRun(configuration: BackupConfiguration(sourceFolder: source), destinations: [destination])
                .perform(logger: CapturedLog().logger, now: Date(timeIntervalSince1970: 1_700_000_000))
        }
        while store.heldPuts == 0 { await Task.yield() }
        try change()
        store.releasePuts()
        return (await task.value, store)
    }

    /// The exact (nanosecond) modification time of `path`.
    func modified(_ path: String) throws -> timespec {
        var status = stat()
        #expect(stat(path, &status) == 0)
        return status.st_mtim
    }

    func setModified(_ path: String, _ time: timespec) throws {
        var times = [time, time]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
    }

    @Test func aFileReplacedByARenameFailsTheRunAndTheOldVersionIsWhatWasRead() async throws {
        let (report, store) = try await runChanging {
            let was = try modified(file)
            _ = try folder.write("source/.dump.tmp", String(repeating: "n", count: 4000))
            try setModified(folder.file("source/.dump.tmp"), was)
            #expect(rename(folder.file("source/.dump.tmp"), file) == 0)
        }
        #expect(!report.succeeded)
        #expect(report.destinations[0].error?.contains("dump.rdb changed while it was being backed up (it was replaced by another file)") == true)
        let stored = store.keys.filter { $0.hasSuffix("dump.rdb") }.compactMap { store.bytes(of: $0) }
        #expect(stored.allSatisfy { $0 == Array(Self.content.utf8) })
        #expect(!store.keys.contains { $0.hasSuffix(".manifest.json") })
    }

    @Test func aFileRewrittenInPlaceWithItsTimeKeptFailsTheRun() async throws {
        let (report, _) = try await runChanging {
            let was = try modified(file)
            try Data(String(repeating: "x", count: 4000).utf8).write(to: URL(fileURLWithPath: file))
            try setModified(file, was)
        }
        #expect(!report.succeeded)
        #expect(report.destinations[0].error?.contains("dump.rdb changed while it was being backed up (it was rewritten)") == true)
    }

    @Test func aFileThatShrinksFailsTheRun() async throws {
        let (report, _) = try await runChanging { #expect(truncate(file, 10) == 0) }
        #expect(!report.succeeded)
        #expect(report.destinations[0].error?.contains("dump.rdb changed while it was being backed up") == true)
    }
}

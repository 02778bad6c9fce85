import Backups
import Foundation
import Manifest
import Storage
import StorageTestKit
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ServiceBackup

/// What the source folder holds beyond plain files and folders: nothing is left out without a warning naming it.
struct SourceFolderWarningsTests {
    let folder: TemporaryFolder
    let source: String
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    init() throws {
        folder = try TemporaryFolder()
        source = folder.file("source")
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
    }

    func run(_ store: MemoryStore, log: CapturedLog) async -> RunReport {
        let destination = Destination(name: nil, store: store, concurrency: 2)
        return await BackupRun(configuration: BackupConfiguration(sourceFolder: source), destinations: [destination])
            .perform(logger: log.logger, now: Self.start)
    }

    var day: String { Snapshot.remoteFolder(for: Self.start) }

    @Test func anEmptySourceFolderIsAWarnedAndCountedSuccess() async throws {
        let store = MemoryStore()
        let log = CapturedLog()
        let report = await run(store, log: log)
        #expect(report.succeeded)
        #expect(report.emptySource)
        #expect(report.warnings == ["source folder \(source) is empty: the run records a backup of no files"])
        #expect(log.messages.contains("ServiceBackup.source folder \(source) is empty: the run records a backup of no files"))
        #expect(store.keys.filter { $0.hasSuffix(".manifest.json") }.count == 1)
    }

    @Test func linksAreFollowedAndWhatCannotBeBackedUpIsNamed() async throws {
        try folder.write("outside/linked.txt", "through a file link")
        try folder.write("outside/folder/inner.txt", "through a folder link")
        try folder.write("source/plain.txt", "plain")
        try folder.write("source/sub/deep.txt", "deep")
        try FileManager.default.createSymbolicLink(atPath: source + "/file-link", withDestinationPath: folder.file("outside/linked.txt"))
        try FileManager.default.createSymbolicLink(atPath: source + "/folder-link", withDestinationPath: folder.file("outside/folder"))
        try FileManager.default.createSymbolicLink(atPath: source + "/sub/loop", withDestinationPath: source)
        try FileManager.default.createSymbolicLink(atPath: source + "/dangling", withDestinationPath: folder.file("nowhere"))
        #expect(mkfifo(source + "/pipe", 0o600) == 0)

        let store = MemoryStore()
        let log = CapturedLog()
        let report = await run(store, log: log)
        #expect(report.succeeded, "\(log.messages)")
        let files = Set(store.keys.filter { !$0.hasSuffix(".manifest.json") })
        #expect(files == Set(["plain.txt", "sub/deep.txt", "file-link", "folder-link/inner.txt"].map { "\(day)/\($0)" }))
        #expect(store.bytes(of: "\(day)/file-link") == Array("through a file link".utf8))
        #expect(!report.emptySource)
        #expect(report.warnings.count == 3)
        let warned = log.messages.joined(separator: "\n")
        #expect(warned.contains("\(source)/dangling is a symbolic link to nothing"))
        #expect(warned.contains("\(source)/sub/loop is a symbolic link to a folder that contains it (a loop)"))
        #expect(warned.contains("\(source)/pipe is a named pipe (FIFO), not a file or folder"))
    }
}

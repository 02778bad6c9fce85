import Backups
import Foundation
import Logging
import Manifest
import Storage
import StorageTestKit
import Testing
@testable import ServiceBackup

/// list, verify and restore over an in-memory store: the states of runs, and what an altered object does.
struct CatalogTests: Sendable {
    let folder: TemporaryFolder
    let source: String
    let store = MemoryStore()
    let scratch: PrivateFolder
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    init() throws {
        folder = try TemporaryFolder()
        source = folder.file("source")
        try folder.write("source/a.rdb", "alpha")
        try folder.write("source/naïve dir/b c.aof", String(repeating: "b", count: 5000))
        scratch = try PrivateFolder()
    }

    var destination: Destination { Destination(name: nil, store: store, concurrency: 2) }
    var observer: TransferObserver { TransferObserver(kind: "memory", logger: Logger(label: "test")) }

    func backUp(at now: Date, runFolders: Bool = false) async -> RunReport {
        var configuration = BackupConfiguration(sourceFolder: source)
        configuration.runFolders = runFolders
        return await BackupRun(configuration: configuration, destinations: [destination]).perform(logger: CapturedLog().logger, now: now)
    }

    func runs() async throws -> [RunSummary] {
        try await Catalog(store: store).runs(scratch: scratch, observer: observer)
    }

    @Test func statesOfRuns() async throws {
        let older = await backUp(at: Self.start)
        let newer = await backUp(at: Self.start.addingTimeInterval(60))
        store.failNext(.put, .permanent)
        let failed = await backUp(at: Self.start.addingTimeInterval(86_400))
        #expect(older.succeeded && newer.succeeded && !failed.succeeded)

        let listed = try await runs()
        #expect(listed.map(\.state) == [.incomplete, .complete, .superseded])
        #expect(listed[1].runID == newer.runID && listed[2].runID == older.runID)
        #expect(listed[1].files == 2 && listed[1].bytes == 5005)
        #expect(listed.select(runID: nil, date: nil)?.runID == newer.runID)
    }

    @Test func aMissingFileMakesARunDamaged() async throws {
        let report = await backUp(at: Self.start)
        try await store.delete([Snapshot.remoteFolder(for: Self.start) + "/a.rdb"])
        let run = try #require(try await runs().first)
        #expect(run.runID == report.runID && run.state == .damaged && run.problems == ["a.rdb"])
    }

    @Test func runFoldersAreListedAsSeparateCompleteRuns() async throws {
        _ = await backUp(at: Self.start, runFolders: true)
        _ = await backUp(at: Self.start.addingTimeInterval(60), runFolders: true)
        #expect(try await runs().map(\.state) == [.complete, .complete])
    }

    @Test func verifyAndRestoreCatchAnAlteredObjectByName() async throws {
        _ = await backUp(at: Self.start)
        let run = try #require(try await runs().first)
        let verifier = Verifier(destination: destination)
        #expect(try await verifier.verify(run, readData: true, scratch: scratch, observer: observer).passed)

        let key = try #require(run.keys["naïve dir/b c.aof"])
        store.overwrite(key, with: Array(String(repeating: "x", count: 5000).utf8), modified: Self.start)
        let sizesOnly = try await verifier.verify(run, readData: false, scratch: scratch, observer: observer)
        #expect(sizesOnly.passed)
        let read = try await verifier.verify(run, readData: true, scratch: scratch, observer: observer)
        #expect(read.mismatches.count == 1 && read.mismatches[0].hasPrefix("naïve dir/b c.aof: SHA-256"))

        let target = folder.file("restored")
        await #expect(throws: Restorer.Failure.self) {
            _ = try await Restorer(destination: destination).restore(run, into: target, force: false, allowIncomplete: false, observer: observer)
        }
        #expect(!FileManager.default.fileExists(atPath: target + "/naïve dir/b c.aof"))
    }

    @Test func restoreBringsBackEveryByteAndRefusesWhatItShould() async throws {
        _ = await backUp(at: Self.start)
        let run = try #require(try await runs().first)
        let restorer = Restorer(destination: destination)
        let target = folder.file("restored")
        let restored = try await restorer.restore(run, into: target, force: false, allowIncomplete: false, observer: observer)
        #expect(restored.files == 2 && restored.bytes == 5005)
        #expect(try String(contentsOfFile: target + "/a.rdb", encoding: .utf8) == "alpha")
        #expect(try Data(contentsOf: URL(fileURLWithPath: target + "/naïve dir/b c.aof")).count == 5000)
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: target).filter { TemporaryName.isTemporary($0) }
        #expect(leftovers.isEmpty)

        await #expect(throws: Restorer.Failure.self) {  // not empty
            _ = try await restorer.restore(run, into: target, force: false, allowIncomplete: false, observer: observer)
        }
        _ = try await restorer.restore(run, into: target, force: true, allowIncomplete: false, observer: observer)

        store.failNext(.put, .permanent)
        _ = await backUp(at: Self.start.addingTimeInterval(86_400))
        let incomplete = try #require(try await runs().first)
        #expect(incomplete.state == .incomplete)
        await #expect(throws: Restorer.Failure.self) {
            _ = try await restorer.restore(incomplete, into: folder.file("other"), force: false, allowIncomplete: false, observer: observer)
        }
    }

    @Test func restoreRefusesPathsThatLeaveTheFolder() throws {
        #expect(throws: Restorer.Failure.self) { try Restorer.target(for: "../etc/passwd", in: "/tmp/x") }
        #expect(throws: Restorer.Failure.self) { try Restorer.target(for: "/etc/passwd", in: "/tmp/x") }
        #expect(try Restorer.target(for: "a/b", in: "/tmp/x") == "/tmp/x/a/b")
    }
}

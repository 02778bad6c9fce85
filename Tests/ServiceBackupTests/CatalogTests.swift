import Backups
import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
        #expect(throws: Restorer.Failure.self) { try Restorer.target(for: Array("../etc/passwd".utf8), in: "/tmp/x") }
        #expect(throws: Restorer.Failure.self) { try Restorer.target(for: Array("/etc/passwd".utf8), in: "/tmp/x") }
        #expect(try Restorer.target(for: Array("a//b".utf8), in: "/tmp/x") == Array("/tmp/x/a/b".utf8))
    }

    @Test func namesThatAreNotUTF8ComeBackAsTheirBytes() async throws {
        let folder = Array(source.utf8) + Array("/d".utf8) + [0xFF]
        #expect(folder.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { mkdir(Array($0) + [0], 0o755) }
        } == 0)
        let file = folder + Array("/f".utf8) + [0xFE]
        let descriptor = (file + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT, 0o644) } }
        #expect(write(descriptor, "odd", 3) == 3)
        close(descriptor)

        #expect(await backUp(at: Self.start).succeeded)
        let run = try #require(try await runs().first)
        #expect(run.manifest?.files.contains { $0.path == "d%FF/f%FE" && $0.rawPath == Array("d".utf8) + [0xFF, 0x2F, 0x66, 0xFE] } == true)
        let target = self.folder.file("restored")
        let restored = try await Restorer(destination: destination).restore(run, into: target, force: false, allowIncomplete: false, observer: observer)
        #expect(restored.files == 3 && restored.problems.isEmpty)
        let rawTarget = Array(target.utf8) + Array("/d".utf8) + [0xFF, 0x2F, 0x66, 0xFE]
        var status = stat()
        #expect((rawTarget + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { stat($0.baseAddress!, &status) } } == 0)
        #expect(status.st_size == 3)
    }

    @Test func twoFilesThatWouldShareANameFailTheRun() async throws {
        try folder.write("source/a%FF", "text name")
        let raw = Array(source.utf8) + Array("/a".utf8) + [0xFF]
        let descriptor = (raw + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT, 0o644) } }
        close(descriptor)
        let report = await backUp(at: Self.start)
        #expect(report.failedStep == .snapshot && report.error?.contains("would be stored under the same name a%FF") == true)
        #expect(store.keys.isEmpty)
    }

    @Test func allowIncompleteRestoresWhatIsThereAndSaysWhatIsNot() async throws {
        _ = await backUp(at: Self.start)
        try await store.delete([Snapshot.remoteFolder(for: Self.start) + "/a.rdb"])
        let run = try #require(try await runs().first)
        #expect(run.state == .damaged)
        let restorer = Restorer(destination: destination)
        await #expect(throws: Restorer.Failure.self) {
            _ = try await restorer.restore(run, into: folder.file("strict"), force: false, allowIncomplete: false, observer: observer)
        }
        let restored = try await restorer.restore(run, into: folder.file("lenient"), force: false, allowIncomplete: true, observer: observer)
        #expect(restored.files == 1 && restored.problems == ["a.rdb: missing on the store, not restored"])
        #expect(FileManager.default.fileExists(atPath: folder.file("lenient/naïve dir/b c.aof")))
    }

    @Test func aStoreClockBehindOursDoesNotMakeRunsLookReplaced() async throws {
        _ = await backUp(at: Self.start)
        let day = Snapshot.remoteFolder(for: Self.start)
        // Every object dated an hour before this machine's clock, the manifest too.
        for key in store.keys { store.overwrite(key, with: store.bytes(of: key)!, modified: Date().addingTimeInterval(-3600)) }
        #expect(try await runs().map(\.state) == [.complete])
        // A file rewritten after its manifest, by the store's own clock, was replaced.
        store.overwrite(day + "/a.rdb", with: Array("other".utf8), modified: Date())
        #expect(try await runs().map(\.state) == [.superseded])
    }
}

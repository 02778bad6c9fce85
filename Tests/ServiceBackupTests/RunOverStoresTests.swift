import Backups
import Foundation
import Manifest
import Signing
import Storage
import StorageTestKit
import Testing
import Transport
@testable import ServiceBackup

/// The run above the store interface, judged on in-memory stores that fail, stall and count.
struct RunOverStoresTests: Sendable {
    let folder: TemporaryFolder
    let source: String
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    init() throws {
        folder = try TemporaryFolder()
        source = folder.file("source")
        try folder.write("source/a.rdb", "alpha")
        try folder.write("source/nested/b.aof", String(repeating: "b", count: 5000))
        try folder.write("source/empty", "")
    }

    func run(_ stores: [any ObjectStore], concurrency: Int = 2, runFolders: Bool = false, at now: Date = start) async -> RunReport {
        var configuration = BackupConfiguration(sourceFolder: source)
        configuration.runFolders = runFolders
        let destinations = stores.enumerated().map { Destination(name: "d\($0.offset)", store: $0.element, concurrency: concurrency) }
        return await BackupRun(configuration: configuration, destinations: destinations).perform(logger: CapturedLog().logger, now: now)
    }

    var day: String { Snapshot.remoteFolder(for: Self.start) }

    @Test func theManifestIsWrittenLastAndHoldsEveryFilesHash() async throws {
        let store = MemoryStore()
        let report = await run([store])
        #expect(report.succeeded)
        let manifestKey = "\(day)/\(report.runID).manifest.json"
        #expect(store.completedPuts.last == manifestKey)
        #expect(Set(store.keys) == ["\(day)/a.rdb", "\(day)/nested/b.aof", "\(day)/empty", manifestKey])
        let manifest = try RunManifest.decode(Data(try #require(store.bytes(of: manifestKey))), key: manifestKey)
        #expect(manifest.files.map(\.path) == ["a.rdb", "empty", "nested/b.aof"])
        #expect(manifest.files[0].sha256 == Digest.hex(Digest.sha256(Array("alpha".utf8))))
        #expect(manifest.backupGUID == report.backupGUID && report.runID.hasPrefix("20231114T221320Z-"))
        #expect(report.destinations.map(\.manifestKey) == [manifestKey])
        #expect(report.destinations[0].files == 3 && report.destinations[0].bytes == 5005)
    }

    @Test func aFailedDestinationGetsNoManifestWhileAHealthyOneDoes() async throws {
        let broken = MemoryStore()
        broken.failNext(.put, .unauthorized)
        let healthy = MemoryStore()
        let report = await run([broken, healthy])
        #expect(!report.succeeded && report.failedStep == .upload)
        #expect(!broken.keys.contains { $0.hasSuffix(".manifest.json") })
        #expect(healthy.keys.contains { $0.hasSuffix(".manifest.json") })
        #expect(report.destinations[0].outcome == .failed && report.destinations[0].errorKind == .unauthorized)
        #expect(report.destinations[1].outcome == .succeeded)
    }

    @Test func aStoppedRunLeavesNoManifest() async throws {
        let store = MemoryStore()
        store.holdPuts()
        let task = Task { await run([store]) }
        while store.heldPuts == 0 { await Task.yield() }
        task.cancel()
        store.releasePuts()
        let report = await task.value
        #expect(report.cancelled && !report.succeeded)
        #expect(report.destinations.first?.outcome == .cancelled)
        #expect(!store.keys.contains { $0.hasSuffix(".manifest.json") })
    }

    @Test func aFileThatGrowsDuringItsUploadFailsTheRunByName() async throws {
        let store = MemoryStore()
        store.holdPuts()
        let task = Task { await run([store], concurrency: 3) }
        while store.heldPuts < 3 { await Task.yield() }
        let handle = try #require(FileHandle(forWritingAtPath: folder.file("source/nested/b.aof")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("more".utf8))
        try handle.close()
        store.releasePuts()
        let report = await task.value
        #expect(!report.succeeded)
        #expect(report.destinations[0].error?.contains("nested/b.aof changed while it was being backed up") == true)
        #expect(!store.keys.contains { $0.hasSuffix(".manifest.json") })
    }

    @Test func transfersStayWithinTheDestinationsConcurrency() async throws {
        for index in 0..<12 { try folder.write("source/many/\(index)", "\(index)") }
        let store = MemoryStore()
        #expect(await run([store], concurrency: 3).succeeded)
        #expect((1...3).contains(store.maxConcurrentPuts))
    }

    @Test func aTransientFailureIsRetriedAndCounted() async throws {
        let store = MemoryStore()
        store.failNext(.put, .transient)
        let retrying = RetryingStore(store, policy: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1)))
        let report = await run([retrying])
        #expect(report.succeeded)
        #expect(report.destinations[0].retries == 1)
    }

    @Test func runFoldersKeepEachRunApart() async throws {
        let store = MemoryStore()
        let first = await run([store], runFolders: true)
        let second = await run([store], runFolders: true, at: Self.start.addingTimeInterval(60))
        #expect(first.succeeded && second.succeeded)
        for report in [first, second] {
            #expect(store.bytes(of: "\(day)/\(report.runID)/a.rdb") == Array("alpha".utf8))
            #expect(store.bytes(of: "\(day)/\(report.runID).manifest.json") != nil)
        }
        #expect(store.bytes(of: "\(day)/a.rdb") == nil)
    }
}

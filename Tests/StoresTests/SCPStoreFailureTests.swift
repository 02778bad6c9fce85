import Foundation
import Manifest
import Storage
import Testing
import Transport
@testable import Stores

/// The scp store when things go wrong or pile up: cancellation, dropped connections, stale temporary files,
/// many operations at once.
extension SCPStoreTests {
    func bigFile(megabytes: Int) throws -> FileRange {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scp-big-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let file = root.appendingPathComponent("dump.rdb")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        let chunk = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) })
        for _ in 0..<megabytes { handle.write(chunk) }
        try handle.close()
        return FileRange(path: file.path, length: Int64(megabytes << 20))
    }

    func awaitPartialFile(under folder: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if !leftovers(under: folder).isEmpty { return }
            try await Task.sleep(for: .milliseconds(5))  // polling the server's folder: no other signal exists
        }
        Issue.record("no temporary file appeared under \(folder)")
    }

    @Test func cancellingLeavesNoFileAtItsNameAndRemovesTheTemporaryFile() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let source = try bigFile(megabytes: 400)
        defer { try? FileManager.default.removeItem(atPath: (source.path as NSString).deletingLastPathComponent) }
        let target = server.folder.appendingPathComponent("cancelled").path
        let scp = try store(try settings(server, key: "user_ed25519", destination: target, fingerprint: try server.hostKeyLine()))
        let observer = TransferObserver(kind: "scp", logger: LogCollector().logger)
        try await scp.prepare(observer: observer)
        let upload = Task { try await scp.put(Self.day + "dump.rdb", from: source, observer: observer) }
        try await awaitPartialFile(under: target)
        let cancelledAt = ContinuousClock.now
        upload.cancel()
        let result = await upload.result
        #expect(ContinuousClock.now - cancelledAt < .seconds(10), "a cancelled put stops promptly")
        #expect { try result.get() } throws: { ($0 as? StoreError)?.kind == .cancelled }
        #expect(!FileManager.default.fileExists(atPath: "\(target)/\(Self.day)dump.rdb"))
        #expect(leftovers(under: target) == [])
        #expect(observer.objects == 0)
    }

    @Test func aDroppedConnectionIsRetriedAndItsTemporaryFileRemoved() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let source = try bigFile(megabytes: 400)
        defer { try? FileManager.default.removeItem(atPath: (source.path as NSString).deletingLastPathComponent) }
        let target = server.folder.appendingPathComponent("retried").path
        let scp = try store(try settings(server, key: "user_ed25519", destination: target, fingerprint: try server.hostKeyLine()))
        let retrying = RetryingStore(scp, policy: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(50)))
        let logs = LogCollector()
        let observer = TransferObserver(kind: "scp", logger: logs.logger)
        try await retrying.prepare(observer: observer)
        let upload = Task { try await retrying.put(Self.day + "dump.rdb", from: source, observer: observer) }
        try await awaitPartialFile(under: target)
        server.dropConnections()
        let digest = try await upload.value
        #expect(digest.size == source.length)
        #expect(observer.retries >= 1)
        #expect(logs.warnings.contains { $0.contains("scp retrying after a failure") })
        #expect(FileManager.default.contentsEqual(atPath: "\(target)/\(Self.day)dump.rdb", andPath: source.path))
        #expect(leftovers(under: target) == [])
    }

    @Test func aMissingObjectIsNotFoundAndAMissingFolderListsEmpty() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let target = server.folder.appendingPathComponent("nothing here").path
        let scp = try store(try settings(server, key: "user_ed25519", destination: target, fingerprint: try server.hostFingerprint()))
        #expect(try await scp.stat("no/such") == nil)
        var listed: [ObjectInfo] = []
        for try await object in scp.list(prefix: "") { listed.append(object) }
        #expect(listed.isEmpty)
        let local = FileManager.default.temporaryDirectory.appendingPathComponent("scp-get-\(UUID().uuidString)").path
        await #expect(throws: StoreError(.notFound, "cannot open \(target)/no/such for reading: no such file or folder")) {
            try await scp.get("no/such", to: local, observer: TransferObserver(kind: "scp", logger: LogCollector().logger))
        }
        #expect(!FileManager.default.fileExists(atPath: local))
        try await scp.delete(["no/such"])
    }

    @Test func staleTemporaryFilesAreListedAndRemoved() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let target = server.folder.appendingPathComponent("stale").path
        let scp = try store(try settings(server, key: "user_ed25519", destination: target, fingerprint: try server.hostFingerprint()))
        let folder = "\(target)/\(Self.day)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let stale = folder + ".dump.rdb.partial-0123abcd", fresh = folder + ".other.partial-89abcdef", kept = folder + "dump.rdb"
        let staleFixed = folder + ".sb-partial-0123456789abcdef"
        for path in [stale, staleFixed, fresh, kept] { _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8)) }
        let hourAgo = Date().addingTimeInterval(-3600)
        try FileManager.default.setAttributes([.modificationDate: hourAgo], ofItemAtPath: stale)
        try FileManager.default.setAttributes([.modificationDate: hourAgo], ofItemAtPath: staleFixed)
        var listed: [String: Date?] = [:]
        for try await object in scp.list(prefix: Self.day) { listed[object.key] = object.modified }
        #expect(Set(listed.keys) == [Self.day + ".dump.rdb.partial-0123abcd", Self.day + ".other.partial-89abcdef", Self.day + "dump.rdb",
                                     Self.day + ".sb-partial-0123456789abcdef"])
        #expect(abs((listed[Self.day + ".dump.rdb.partial-0123abcd"] ?? nil)?.timeIntervalSince(hourAgo) ?? 99) < 2)
        let removed = try await scp.removeStaleUploads(
            olderThan: Date().addingTimeInterval(-600), observer: TransferObserver(kind: "scp", logger: LogCollector().logger))
        #expect(removed == 2)
        #expect(!FileManager.default.fileExists(atPath: stale) && !FileManager.default.fileExists(atPath: staleFixed))
        #expect(FileManager.default.fileExists(atPath: fresh) && FileManager.default.fileExists(atPath: kept))
    }

    @Test func manyCallersShareAtMostConcurrencyConnections() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let (source, files) = try makeSource()
        defer { try? FileManager.default.removeItem(atPath: source) }
        let target = server.folder.appendingPathComponent("pooled").path
        var pooled = try settings(server, key: "user_ed25519", destination: target, fingerprint: try server.hostFingerprint())
        pooled.concurrency = 2
        let scp = try store(pooled)
        let observer = TransferObserver(kind: "scp", logger: LogCollector().logger)
        for round in 0..<3 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (path, bytes) in files {
                    group.addTask {
                        let key = "round-\(round)/\(path)"
                        _ = try await scp.put(key, from: FileRange(path: "\(source)/\(path)", length: Int64(bytes.count)), observer: observer)
                        #expect(try await scp.stat(key)?.size == Int64(bytes.count))
                    }
                }
                try await group.waitForAll()
            }
        }
        // Each SSH connection is one child of sshd; the pool keeps its connections open a while for reuse.
        let children = server.connectionCount()
        #expect((1...2).contains(children), "\(children) connections for a pool of 2")
        #expect(observer.objects == 3 * files.count)
    }
}

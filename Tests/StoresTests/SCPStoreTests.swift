import Foundation
import Logging
import Manifest
import Signing
import Storage
import StorageTestKit
import Synchronization
import Testing
import Transport
@testable import Stores

/// The scp store against a real OpenSSH sshd: keys, host key pins, names no shell may see, whole files only.
@Suite(.serialized, .enabled(if: SCPTestServer.isAvailable))
struct SCPStoreTests {
    static let awkwardFolder = "a b/it's \"quoted\"; $(touch pwned) `id`/café ü"
    static let day = "deployment/2026/11/23/"

    func makeSource() throws -> (folder: String, files: [String: [UInt8]]) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scp-source-\(UUID().uuidString)")
        var files: [String: [UInt8]] = [
            "top.txt": Array("top\n".utf8),
            "empty": [],
            ".hidden": Array("hidden\n".utf8),
            "\(Self.awkwardFolder)/file; rm -rf ~ $(id).txt": Array("metacharacters\n".utf8),
            "nested/deeper/deepest/big.bin": (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) },
        ]
        files["nested/sibling.bin"] = Array(repeating: 0xAB, count: 70_001)
        for (path, bytes) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return (root.path, files)
    }

    func settings(_ server: SCPTestServer, key: String, destination: String, fingerprint: String?) throws -> SCPSettings {
        SCPSettings(
            server: "127.0.0.1", user: NSUserName(), destination: destination, key: Secret(try server.text(key)),
            port: server.port, fingerprint: fingerprint, connectTimeout: 5, concurrency: 3
        )
    }

    func store(_ settings: SCPSettings) throws -> SCPStore {
        try SCPStore(settings: settings, concurrency: settings.concurrency ?? SCPSettings.defaultConcurrency)
    }

    /// Prepares `store` and puts every file of `source` under `day`, several at once.
    @discardableResult
    func putAll(_ store: any ObjectStore, source: String, files: [String: [UInt8]], observer: TransferObserver) async throws -> [String: ContentDigest] {
        try await store.prepare(observer: observer)
        return try await withThrowingTaskGroup(of: (String, ContentDigest).self) { group in
            for (path, bytes) in files {
                group.addTask {
                    let range = FileRange(path: "\(source)/\(path)", length: Int64(bytes.count))
                    return (path, try await store.put(Self.day + path, from: range, observer: observer))
                }
            }
            var digests: [String: ContentDigest] = [:]
            for try await (path, digest) in group { digests[path] = digest }
            return digests
        }
    }

    func leftovers(under folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []).filter { TemporaryName.isTemporary($0) }
    }

    @Test(arguments: ["user_ed25519", "user_rsa_pem", "user_rsa_openssh", "user_ecdsa"])
    func putsFilesByteForByteUnderTheirOwnNames(key: String) async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let (source, files) = try makeSource()
        defer { try? FileManager.default.removeItem(atPath: source) }
        let target = server.folder.appendingPathComponent("backups dir").path
        let logs = LogCollector()
        let observer = TransferObserver(kind: "scp", logger: logs.logger)
        let scp = try store(try settings(server, key: key, destination: target, fingerprint: try server.hostKeyLine()))
        let digests = try await putAll(scp, source: source, files: files, observer: observer)
        #expect(observer.objects == files.count)
        #expect(observer.bytes == Int64(files.values.map(\.count).reduce(0, +)))
        for (path, bytes) in files {
            #expect(FileManager.default.contents(atPath: "\(target)/\(Self.day)\(path)").map(Array.init) == bytes, "\(path)")
            #expect(digests[path] == ContentDigest(size: Int64(bytes.count), sha256: Digest.sha256(bytes)), "\(path)")
        }
        var listed: [String: Int64] = [:]
        for try await object in scp.list(prefix: Self.day) { listed[object.key] = object.size }
        #expect(listed == Dictionary(uniqueKeysWithValues: files.map { (Self.day + $0.key, Int64($0.value.count)) }))
        #expect(leftovers(under: target) == [])
        #expect(!FileManager.default.fileExists(atPath: "pwned"))
        let keyText = try server.text(key)
        #expect(!logs.all.contains { $0.contains(keyText.split(separator: "\n")[1]) })
        #expect(scp.location(of: "deployment/2026") == "\(NSUserName())@127.0.0.1:\(server.port):\(target)/deployment/2026")
    }

    @Test func passesTheConformanceSuite() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let target = server.folder.appendingPathComponent("conformance").path
        let scp = try store(try settings(server, key: "user_ed25519", destination: target, fingerprint: try server.hostFingerprint()))
        try await StoreConformance(store: scp).runAll()
        let destination = try DestinationConfiguration(
            kind: .scp(try settings(server, key: "user_ed25519", destination: target, fingerprint: nil))
        ).makeDestination()
        try await StoreConformance(store: destination.store).runAll()
    }

    @Test func pinsBySHA256MD5AndHashedKnownHostsLines() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let (source, files) = try makeSource()
        defer { try? FileManager.default.removeItem(atPath: source) }
        let knownHosts = server.folder.appendingPathComponent("known_hosts")
        try "[127.0.0.1]:\(server.port) \(try server.hostKeyLine("host_ecdsa"))\n".write(to: knownHosts, atomically: true, encoding: .utf8)
        try SCPTestServer.run("/usr/bin/ssh-keygen", ["-q", "-H", "-f", knownHosts.path])
        let hashed = try String(contentsOf: knownHosts, encoding: .utf8)
        #expect(hashed.hasPrefix("|1|"))
        let md5 = try SCPTestServer.run("/usr/bin/ssh-keygen", ["-l", "-E", "md5", "-f", server.folder.appendingPathComponent("host_ed25519.pub").path])
            .split(separator: " ")[1]
        for (index, pin) in [try server.hostFingerprint(), hashed, String(md5)].enumerated() {
            let target = server.folder.appendingPathComponent("pinned-\(index)").path
            let scp = try store(try settings(server, key: "user_ed25519", destination: target, fingerprint: pin))
            let observer = TransferObserver(kind: "scp", logger: LogCollector().logger)
            try await putAll(scp, source: source, files: ["top.txt": files["top.txt"]!], observer: observer)
            #expect(FileManager.default.fileExists(atPath: "\(target)/\(Self.day)top.txt"))
        }
    }

    @Test func refusesAWrongPinAndWritesNothing() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let target = server.folder.appendingPathComponent("never").path
        let wrong = try server.text("stranger_ed25519.pub")
        let scp = try store(try settings(server, key: "user_ed25519", destination: target, fingerprint: wrong))
        await #expect {
            try await scp.prepare(observer: TransferObserver(kind: "scp", logger: LogCollector().logger))
        } throws: { error in
            let text = String(describing: error)
            let offered = (try? server.hostFingerprint()) ?? "?"
            return (error as? StoreError)?.kind == .unauthorized && text.contains(offered)
                && text.contains(SSHHostKey(blob: Array(Data(base64Encoded: String(wrong.split(separator: " ")[1]))!)).sha256Fingerprint)
        }
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    @Test func warnsWithTheServersFingerprintWhenNothingIsPinned() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let logs = LogCollector()
        let target = server.folder.appendingPathComponent("open").path
        let unpinned = try settings(server, key: "user_ed25519", destination: target, fingerprint: nil)
        let scp = try store(unpinned)
        try await scp.prepare(observer: TransferObserver(kind: "scp", logger: logs.logger))
        let fingerprint = try server.hostFingerprint()
        #expect(logs.warnings.contains { $0.hasPrefix("scp destination has no fingerprint: ") && $0.contains("fingerprint=\(fingerprint)") })
        #expect(FileManager.default.fileExists(atPath: target), "prepare creates the base folder")
        #expect(try await SCPStore.hostKeyFingerprint(settings: unpinned) == fingerprint)
        #expect(await scp.validationNotes().contains { $0.contains("pin it with `fingerprint: \(fingerprint)`") })
        let pinned = try store(try settings(server, key: "user_ed25519", destination: target, fingerprint: fingerprint))
        #expect(await pinned.validationNotes() == [])
    }

    @Test func aRefusedKeySaysWhatWasOfferedAndIsNotRetried() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let keyText = try server.text("stranger_ed25519")
        let target = server.folder.appendingPathComponent("refused").path
        let destination = try DestinationConfiguration(
            kind: .scp(try settings(server, key: "stranger_ed25519", destination: target, fingerprint: nil))
        ).makeDestination()
        let logs = LogCollector()
        let observer = TransferObserver(kind: "scp", logger: logs.logger)
        await #expect {
            try await destination.store.prepare(observer: observer)
        } throws: { error in
            let text = String(describing: error)
            return (error as? StoreError)?.kind == .unauthorized && text.contains("ssh-ed25519") && text.contains("publickey")
                && !text.contains(keyText.split(separator: "\n")[1])
        }
        #expect(observer.retries == 0)
        #expect(!logs.messages.contains { $0.contains("retrying") })
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}

/// Collects what a store logs.
final class LogCollector: Sendable {
    private let lines = Mutex<[(Logger.Level, String)]>([])

    var logger: Logger {
        Logger(label: "test") { _ in CollectingHandler(collector: self) }
    }

    func append(_ level: Logger.Level, _ text: String) { lines.withLock { $0.append((level, text)) } }
    var messages: [String] { lines.withLock { $0.map(\.1) } }
    var warnings: [String] { lines.withLock { $0.filter { $0.0 == .warning }.map(\.1) } }
    var all: [String] { messages }

    struct CollectingHandler: LogHandler {
        let collector: LogCollector
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let extra = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            collector.append(event.level, extra.isEmpty ? "\(event.message)" : "\(event.message) \(extra)")
        }
    }
}

import Foundation
import Logging
import Manifest
import Synchronization
import Testing
import Transport
@testable import Destinations

@Suite(.serialized, .enabled(if: SCPTestServer.isAvailable))
struct SCPDestinationTests {
    static let awkwardFolder = "a b/it's \"quoted\"; $(touch pwned) `id`/café ü"

    func makeSource() throws -> (folder: String, files: [String: [UInt8]]) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scp-source-\(UUID().uuidString)")
        var files: [String: [UInt8]] = [
            "top.txt": Array("top\n".utf8),
            "empty": [],
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

    func upload(_ settings: SCPSettings, source: String, logs: LogCollector = LogCollector()) async throws -> UploadSummary {
        let backup = try Backup.scan(sourceFolder: source, remoteFolder: "deployment/2026/11/23")
        let destination = try SCPDestination(name: "box", settings: settings, retryPolicy: RetryPolicy(maxAttempts: 1))
        return try await destination.upload(backup, logger: logs.logger)
    }

    @Test(arguments: ["user_ed25519", "user_rsa_pem", "user_rsa_openssh", "user_ecdsa"])
    func uploadsTheTreeByteForByte(key: String) async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let (source, files) = try makeSource()
        defer { try? FileManager.default.removeItem(atPath: source) }
        let target = server.folder.appendingPathComponent("backups dir").path
        let logs = LogCollector()
        let summary = try await upload(
            try settings(server, key: key, destination: target, fingerprint: try server.hostKeyLine()), source: source, logs: logs
        )
        #expect(summary.files == files.count)
        for (path, bytes) in files {
            let remote = "\(target)/deployment/2026/11/23/\(path)"
            #expect(FileManager.default.contents(atPath: remote).map(Array.init) == bytes, "\(path)")
        }
        let leftovers = FileManager.default.enumerator(atPath: target)?.compactMap { $0 as? String }.filter { $0.contains(".partial-") }
        #expect(leftovers == [])
        #expect(!FileManager.default.fileExists(atPath: "pwned"))
        let keyText = try server.text(key)
        #expect(!logs.all.contains { $0.contains(keyText.split(separator: "\n")[1]) })
    }

    @Test func pinsBySHA256MD5AndHashedKnownHostsLines() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let (source, _) = try makeSource()
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
            let summary = try await upload(try settings(server, key: "user_ed25519", destination: target, fingerprint: pin), source: source)
            #expect(summary.files == 5)
            #expect(FileManager.default.fileExists(atPath: "\(target)/deployment/2026/11/23/top.txt"))
        }
    }

    @Test func refusesAWrongPinAndWritesNothing() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let (source, _) = try makeSource()
        defer { try? FileManager.default.removeItem(atPath: source) }
        let target = server.folder.appendingPathComponent("never").path
        let wrong = try server.text("stranger_ed25519.pub")
        await #expect {
            try await upload(try settings(server, key: "user_ed25519", destination: target, fingerprint: wrong), source: source)
        } throws: { error in
            let text = String(describing: error)
            let offered = (try? server.hostFingerprint()) ?? "?"
            return (error as? SSHError)?.kind == .hostKeyMismatch && text.contains(offered)
                && text.contains(SSHHostKey(blob: Array(Data(base64Encoded: String(wrong.split(separator: " ")[1]))!)).sha256Fingerprint)
        }
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    @Test func warnsWithTheServersFingerprintWhenNothingIsPinned() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let (source, _) = try makeSource()
        defer { try? FileManager.default.removeItem(atPath: source) }
        let logs = LogCollector()
        _ = try await upload(try settings(server, key: "user_ed25519", destination: server.folder.appendingPathComponent("open").path, fingerprint: nil), source: source, logs: logs)
        let fingerprint = try server.hostFingerprint()
        #expect(logs.warnings.contains { $0.contains(fingerprint) })
        let fetched = try await SCPDestination.hostKeyFingerprint(settings: try settings(server, key: "user_ed25519", destination: "x", fingerprint: nil))
        #expect(fetched == fingerprint)
    }

    @Test func aRefusedKeySaysWhatWasOfferedAndIsNotRetried() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let (source, _) = try makeSource()
        defer { try? FileManager.default.removeItem(atPath: source) }
        let keyText = try server.text("stranger_ed25519")
        let target = server.folder.appendingPathComponent("refused").path
        let destination = try SCPDestination(name: nil, settings: try settings(server, key: "stranger_ed25519", destination: target, fingerprint: nil))
        let logs = LogCollector()
        await #expect {
            _ = try await destination.upload(try Backup.scan(sourceFolder: source, remoteFolder: "x"), logger: logs.logger)
        } throws: { error in
            let text = String(describing: error)
            return (error as? SSHError)?.kind == .authentication && text.contains("ssh-ed25519") && text.contains("publickey")
                && !text.contains(keyText.split(separator: "\n")[1])
        }
        #expect(!logs.messages.contains { $0.contains("retrying") })
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}

extension SCPDestinationTests {
    func bigSource(megabytes: Int) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scp-big-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let file = root.appendingPathComponent("dump.rdb")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        let chunk = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) })
        for _ in 0..<megabytes { handle.write(chunk) }
        try handle.close()
        return root.path
    }

    func awaitPartialFile(under folder: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let names = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
            if names.contains(where: { $0.contains(".partial-") }) { return }
            try await Task.sleep(for: .milliseconds(5))  // polling the server's folder: no other signal exists
        }
        Issue.record("no temporary file appeared under \(folder)")
    }

    func leftovers(under folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []).filter { $0.contains(".partial-") }
    }

    @Test func cancellingLeavesNoFileAtItsNameAndRemovesTheTemporaryFile() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let source = try bigSource(megabytes: 400)
        defer { try? FileManager.default.removeItem(atPath: source) }
        let target = server.folder.appendingPathComponent("cancelled").path
        var scp = try settings(server, key: "user_ed25519", destination: target, fingerprint: try server.hostKeyLine())
        scp.concurrency = 1
        let upload = Task { try await self.upload(scp, source: source) }
        try await awaitPartialFile(under: target)
        let cancelledAt = ContinuousClock.now
        upload.cancel()
        let result = await upload.result
        #expect(ContinuousClock.now - cancelledAt < .seconds(10), "a cancelled upload stops promptly")
        #expect(throws: (any Error).self) { try result.get() }
        #expect(!FileManager.default.fileExists(atPath: "\(target)/deployment/2026/11/23/dump.rdb"))
        #expect(leftovers(under: target) == [])
    }

    @Test func aDroppedConnectionIsRetriedAndItsTemporaryFileRemoved() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let source = try bigSource(megabytes: 400)
        defer { try? FileManager.default.removeItem(atPath: source) }
        let target = server.folder.appendingPathComponent("retried").path
        var scp = try settings(server, key: "user_ed25519", destination: target, fingerprint: try server.hostKeyLine())
        scp.concurrency = 1
        let logs = LogCollector()
        let backup = try Backup.scan(sourceFolder: source, remoteFolder: "deployment/2026/11/23")
        let destination = try SCPDestination(name: nil, settings: scp, retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(50)))
        let upload = Task { try await destination.upload(backup, logger: logs.logger) }
        try await awaitPartialFile(under: target)
        server.dropConnections()
        let summary = try await upload.value
        #expect(summary.retries >= 1)
        #expect(logs.warnings.contains { $0.contains("retrying") })
        let remote = "\(target)/deployment/2026/11/23/dump.rdb"
        #expect(FileManager.default.contentsEqual(atPath: remote, andPath: "\(source)/dump.rdb"))
        #expect(leftovers(under: target) == [])
    }
}

/// Collects what a destination logs.
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

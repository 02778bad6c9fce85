import Foundation
import Manifest
import Transport
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// POSTs the alert document to `alerts.webhook_url` with `alerts.webhook_headers`; any 2xx is success.
struct WebhookSender: Sendable {
    let url: Secret
    let headers: [AlertHeader]
    let requester: AlertRequester

    func send(_ document: [UInt8]) async throws -> Int {
        var fields = [HTTPHeader("Content-Type", "application/json"), HTTPHeader("User-Agent", "service-backup")]
        fields += headers.map { HTTPHeader($0.name, $0.value.reveal()) }
        let request = HTTPRequest(method: "POST", url: url.reveal(), headers: fields, body: .bytes(document))
        return try await requester.send("Webhook", request, accepts: { (200..<300).contains($0) }).status
    }
}

/// GETs `alerts.heartbeat_url` after a successful run; any 2xx is success.
struct HeartbeatSender: Sendable {
    let url: Secret
    let requester: AlertRequester

    func send() async throws -> Int {
        let request = HTTPRequest(method: "GET", url: url.reveal(), headers: [HTTPHeader("User-Agent", "service-backup")])
        return try await requester.send("Heartbeat", request, accepts: { (200..<300).contains($0) }).status
    }
}

/// Runs `alerts.executable` with the alert document on its stdin (read from an unlinked private file,
/// so a child that never reads it cannot block or break the daemon).
struct ExecutableSender: Sendable {
    let commandLine: String
    let gracePeriod: Duration

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    func send(_ document: [UInt8]) async throws {
        let input = try Self.unlinkedFile(holding: document)
        defer { try? input.close() }
        let outcome = try await ChildProcess(commandLine: commandLine, gracePeriod: gracePeriod).run(standardInput: input)
        guard outcome.succeeded else {
            let output = outcome.outputTail.trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failed(description: output.isEmpty ? outcome.statusText : "\(outcome.statusText): \(output)")
        }
    }

    /// A file only this process can read, already removed from its folder, holding `bytes` from offset 0.
    static func unlinkedFile(holding bytes: [UInt8]) throws -> FileDescriptor {
        let path = FilePath(NSTemporaryDirectory() + "service-backup-alert-\(UUID().uuidString).json")
        let descriptor = try FileDescriptor.open(
            path, .readWrite, options: [.create, .exclusiveCreate], permissions: [.ownerReadWrite])
        do {
            try FileManager.default.removeItem(atPath: path.string)
            _ = try descriptor.writeAll(bytes)
            _ = try descriptor.seek(offset: 0, from: .start)
            return descriptor
        } catch {
            try? descriptor.close()
            try? FileManager.default.removeItem(atPath: path.string)
            throw error
        }
    }
}

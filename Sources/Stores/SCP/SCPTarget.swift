import Foundation
import Manifest
import Storage
import Transport

/// The manifest's scp settings, checked and parsed once: where to connect, as whom, with which key,
/// and which host key to expect. Bad settings throw a permanent `StoreError` that names no secret.
struct SCPTarget: Sendable {
    var server: String
    var port: Int
    var user: String
    var destination: String
    var key: SSHPrivateKey
    var pin: SSHHostKeyPin?
    var sessionOptions: SSHSessionOptions

    init(settings: SCPSettings) throws {
        guard !settings.server.isEmpty else { throw StoreError(.permanent, "scp: server is empty") }
        guard (1...65535).contains(settings.port) else { throw StoreError(.permanent, "scp: port \(settings.port) is not a TCP port") }
        server = settings.server
        port = settings.port
        user = settings.user
        destination = settings.destination
        do {
            key = try SSHPrivateKey(text: settings.key.reveal())
        } catch let error as SSHError {
            throw StoreError(.permanent, "scp: \(error.message)")
        }
        if let fingerprint = settings.fingerprint, !fingerprint.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            do {
                pin = try SSHHostKeyPin(fingerprint)
            } catch let error as SSHError {
                throw StoreError(.permanent, "scp: \(error.message)")
            }
        }
        let timeout = settings.connectTimeout ?? 30
        guard timeout > 0, timeout.isFinite else { throw StoreError(.permanent, "scp: connect_timeout must be a positive number of seconds") }
        sessionOptions = SSHSessionOptions(
            connectTimeout: .clamped(seconds: timeout),
            ioTimeout: settings.retry.stallTimeout,
            hostKeyAlgorithms: SCPTarget.hostKeyOrder(first: pin?.algorithms ?? [])
        )
    }

    var isPinned: Bool { pin != nil }

    var endpoint: String { SSHSession.endpoint(host: server, port: port) }

    static func hostKeyOrder(first: [String]) -> [String] {
        let supported = SSHSessionOptions.supportedHostKeyAlgorithms
        return first.filter(supported.contains) + supported.filter { !first.contains($0) }
    }

    func accepts(_ hostKey: SSHHostKey) -> Bool { pin?.accepts(hostKey) ?? true }

    /// The options for a handshake that accepts only `algorithm`'s host key.
    func options(onlyHostKey algorithm: String) -> SSHSessionOptions {
        var options = sessionOptions
        options.hostKeyAlgorithms = [algorithm]
        return options
    }

    func mismatch(_ offered: [SSHHostKey]) -> SSHError {
        let shown = offered.map { "\($0.algorithm) \($0.sha256Fingerprint)" }.joined(separator: ", ")
        let expected = pin?.expectedFingerprints.joined(separator: " or ") ?? "none"
        return SSHError(.hostKeyMismatch,
            "host key of \(endpoint) does not match the pinned fingerprint: expected \(expected), server offered \(shown)")
    }
}

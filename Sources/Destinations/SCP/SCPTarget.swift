import Foundation
import Manifest
import Transport

/// The manifest's scp settings, checked and parsed once: where to connect, as whom, with which key,
/// and which host key to expect.
struct SCPTarget: Sendable {
    var server: String
    var port: Int
    var user: String
    var destination: String
    var key: SSHPrivateKey
    var pin: SSHHostKeyPin?
    var sessionOptions: SSHSessionOptions

    init(settings: SCPSettings) throws {
        guard !settings.server.isEmpty else { throw DestinationError("scp: server is empty") }
        guard (1...65535).contains(settings.port) else { throw DestinationError("scp: port \(settings.port) is not a TCP port") }
        server = settings.server
        port = settings.port
        user = settings.user
        destination = settings.destination
        do {
            key = try SSHPrivateKey(text: settings.key.reveal())
        } catch let error as SSHError {
            throw DestinationError("scp: \(error.message)")
        }
        if let fingerprint = settings.fingerprint, !fingerprint.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            do {
                pin = try SSHHostKeyPin(fingerprint)
            } catch let error as SSHError {
                throw DestinationError("scp: \(error.message)")
            }
        }
        let timeout = settings.connectTimeout ?? 30
        guard timeout > 0, timeout.isFinite else { throw DestinationError("scp: connect_timeout must be a positive number of seconds") }
        sessionOptions = SSHSessionOptions(
            connectTimeout: .milliseconds(Int64(timeout * 1000)),
            preferredHostKeyAlgorithms: pin?.algorithms ?? []
        )
    }

    var isPinned: Bool { pin != nil }

    var endpoint: String { server.contains(":") ? "[\(server)]:\(port)" : "\(server):\(port)" }

    /// Refuses `hostKey` unless it is the pinned one (or nothing is pinned).
    func check(_ hostKey: SSHHostKey) throws {
        guard let pin, !pin.accepts(hostKey) else { return }
        throw SSHError(.hostKeyMismatch,
            "host key of \(endpoint) does not match the pinned fingerprint: expected \(pin.expectedFingerprints.joined(separator: " or ")), server offered \(hostKey.algorithm) \(hostKey.sha256Fingerprint)")
    }
}

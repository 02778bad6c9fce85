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

    /// Why no key the server showed is the pinned one. `unavailable` are the key types the server would not
    /// show when asked for them alone. A pin that names a type this build cannot verify says exactly that.
    func mismatch(_ offered: [SSHHostKey], unavailable: [String] = []) -> SSHError {
        let shown = offered.map { "\($0.algorithm) \($0.sha256Fingerprint)" }.joined(separator: ", ")
        let expected = pin?.expectedFingerprints.joined(separator: " or ") ?? "none"
        var text = "host key of \(endpoint) does not match the pinned fingerprint: expected \(expected), server offered \(shown)"
        let pinnedTypes = pin?.algorithms ?? []
        let unverifiable = pinnedTypes.filter { !SSHSessionOptions.supportedHostKeyAlgorithms.contains($0) || unavailable.contains($0) }
        if !unverifiable.isEmpty, pinnedTypes.allSatisfy(unverifiable.contains) {
            text = "the pinned \(unverifiable.joined(separator: "/")) host key of \(endpoint) cannot be verified: "
                + unverifiable.map(Self.whyUnverifiable).joined(separator: "; ")
                + ". Pin another of the server's keys (it offered \(shown))"
        } else if pinnedTypes.isEmpty, !unavailable.isEmpty {
            text += "; the pin is a fingerprint without a key type, and the server would not show its "
                + unavailable.joined(separator: ", ") + " keys, if it has any, in a form this build verifies"
                + (unavailable.contains("ssh-rsa") ? " (\(Self.whyUnverifiable("ssh-rsa")))" : "")
                + ": if the pin is of such a key, pin one of those offered instead"
        }
        return SSHError(.hostKeyMismatch, text)
    }

    static func whyUnverifiable(_ algorithm: String) -> String {
        let library = "libssh2 \(SSHSessionOptions.libraryVersion)"
        if algorithm == "ssh-rsa" {
            return "\(library) verifies RSA host keys only by ssh-rsa (SHA-1) signatures, which the server does not offer "
                + "(OpenSSH 8.8 and later offer RSA host keys only as rsa-sha2-256/512 unless HostKeyAlgorithms +ssh-rsa)"
        }
        if !SSHSessionOptions.supportedHostKeyAlgorithms.contains(algorithm) {
            return "\(library) cannot verify \(algorithm) host keys"
        }
        return "the server offered no \(algorithm) host key"
    }
}

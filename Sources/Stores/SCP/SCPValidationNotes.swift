import Manifest
import Transport

extension SCPStore {
    /// For an unpinned server: the host key it offers, in the form `fingerprint` takes.
    public func validationNotes() async -> [String] {
        guard !target.isPinned else { return [] }
        do {
            let fingerprint = try await Self.hostKeyFingerprint(target: target)
            return ["scp server \(target.endpoint) offers host key \(fingerprint): pin it with `fingerprint: \(fingerprint)`"]
        } catch {
            return ["scp server \(target.endpoint) could not be asked for its host key: \(error)"]
        }
    }

    /// The server's host key fingerprint (`SHA256:<base64>`), read without authenticating.
    public static func hostKeyFingerprint(settings: SCPSettings) async throws -> String {
        try await hostKeyFingerprint(target: try SCPTarget(settings: settings))
    }

    static func hostKeyFingerprint(target: SCPTarget) async throws -> String {
        try await onOwnThread { flag in
            let session = try SSHSession(host: target.server, port: target.port, options: target.sessionOptions, cancellation: flag)
            defer { session.close() }
            return session.hostKey.sha256Fingerprint
        }
    }
}

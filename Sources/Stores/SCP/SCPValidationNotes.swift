import Manifest
import Storage
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

    /// The server's host key against the pin, found as a connection finds it: ok when it matches, fail when
    /// none of the server's keys does, warn when there is no pin.
    public func identityFindings() async -> [StoreFinding] {
        let target = target
        do {
            let fingerprint = try await onOwnThread { flag in
                let session = try SCPConnectionSlot(target: target).pinnedSession(cancellation: flag)
                defer { session.close() }
                return session.hostKey.sha256Fingerprint
            }
            let server = "scp server \(target.endpoint) host key \(fingerprint)"
            guard target.isPinned else { return [StoreFinding(.warn, "\(server) is not pinned: set `fingerprint: \(fingerprint)`")] }
            return [StoreFinding(.ok, "\(server) matches its pin")]
        } catch {
            return [StoreFinding(.fail, "scp server \(target.endpoint) host key: \(error)")]
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

import Foundation
import Testing
import Transport

/// Against a real OpenSSH sshd, which offers chacha20-poly1305 and aes-gcm first and umac and `-etm` MACs:
/// a session settles on the cheapest cipher and MAC libssh2 1.10 shares with it.
@Suite(.enabled(if: SCPTestServer.isAvailable))
struct SSHAlgorithmsTests {
    @Test func aSessionSendsWithAES128CTRAndHMACSHA256() async throws {
        let server = try SCPTestServer()
        defer { server.stop() }
        let port = server.port
        let chosen = try await onOwnThread { flag in
            let session = try SSHSession(host: "127.0.0.1", port: port, options: SSHSessionOptions(connectTimeout: .seconds(5)), cancellation: flag)
            defer { session.close() }
            return [session.sendingAlgorithms.cipher, session.sendingAlgorithms.mac]
        }
        #expect(chosen == ["aes128-ctr", "hmac-sha2-256"])
    }
}

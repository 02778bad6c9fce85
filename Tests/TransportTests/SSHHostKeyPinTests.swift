import Foundation
import Testing
@testable import Transport

struct SSHHostKeyPinTests {
    // An ed25519 public key blob and its fingerprints as `ssh-keygen -l` prints them.
    static let base64 = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
    static let key = SSHHostKey(blob: Array(Data(base64Encoded: base64)!))
    static let other = SSHHostKey(blob: Array(Data(base64Encoded: "AAAAC3NzaC1lZDI1NTE5AAAAIEYvB1G0zj0vmWkXWJk0l4JxZ3U1d4k8X5pYxT8l9kzT")!))

    @Test func fingerprintsReadLikeSSHKeygen() {
        #expect(Self.key.algorithm == "ssh-ed25519")
        #expect(Self.key.sha256Fingerprint.hasPrefix("SHA256:"))
        #expect(!Self.key.sha256Fingerprint.hasSuffix("="))
        #expect(Self.key.sha256Fingerprint.count == "SHA256:".count + 43)
        #expect(Self.key.md5Fingerprint.split(separator: ":").count == 16)
    }

    @Test(arguments: [
        "ssh-ed25519 \(base64)",
        "ssh-ed25519 \(base64) root@box",
        "10.0.0.5 ssh-ed25519 \(base64)",
        "[backup.example.com]:2222,10.0.0.5 ssh-ed25519 \(base64) comment here",
        "|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= ssh-ed25519 \(base64)",
        "# a comment\n\n  10.0.0.6 ssh-ed25519 \(base64)  \n",
    ])
    func knownHostsLinesPinTheirKey(line: String) throws {
        let pin = try SSHHostKeyPin(line)
        #expect(pin.accepts(Self.key))
        #expect(!pin.accepts(Self.other))
        #expect(pin.algorithms == ["ssh-ed25519"])
    }

    @Test func fingerprintsPinTheirKey() throws {
        let sha = try SSHHostKeyPin(Self.key.sha256Fingerprint)
        #expect(sha.accepts(Self.key) && !sha.accepts(Self.other))
        let padded = try SSHHostKeyPin(Self.key.sha256Fingerprint + "=")
        #expect(padded.accepts(Self.key))
        let md5 = try SSHHostKeyPin(Self.key.md5Fingerprint.uppercased())
        #expect(md5.accepts(Self.key) && !md5.accepts(Self.other))
        let prefixed = try SSHHostKeyPin("MD5:" + Self.key.md5Fingerprint)
        #expect(prefixed.accepts(Self.key))
        #expect(md5.expectedFingerprints == ["MD5:" + Self.key.md5Fingerprint])
    }

    @Test func anyOfSeveralLinesMatchesButRevokedNever() throws {
        let both = try SSHHostKeyPin("host ssh-ed25519 \(Self.base64)\n\(Self.other.sha256Fingerprint)")
        #expect(both.accepts(Self.key) && both.accepts(Self.other))
        let revoked = try SSHHostKeyPin("\(Self.other.sha256Fingerprint)\n@revoked * ssh-ed25519 \(Self.base64)")
        #expect(!revoked.accepts(Self.key))
        #expect(revoked.accepts(Self.other))
    }

    @Test(arguments: ["", "   \n# only a comment", "SHA256:short", "not a pin", "host ssh-rsa !!!notbase64",
                      "host ssh-rsa \(base64)", "@weird host ssh-ed25519 \(base64)"])
    func unreadablePinsAreRefused(text: String) {
        #expect(throws: SSHError.self) { try SSHHostKeyPin(text) }
    }
}

struct SSHPrivateKeyTests {
    @Test func readsTheKeyTypeAndNeverPrintsTheKey() throws {
        let rsa = try SSHPrivateKey(text: "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----\n")
        #expect(rsa.algorithm == "ssh-rsa")
        #expect("\(rsa)" == "<private key>")
        #expect(String(reflecting: rsa) == "<private key>")
        #expect(try SSHPrivateKey(text: "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----").algorithm == "ecdsa")
        #expect(try SSHPrivateKey(text: "-----BEGIN PRIVATE KEY-----\nMC4CAQAw\n-----END PRIVATE KEY-----").algorithm == "PKCS#8")
    }

    @Test func refusesEncryptedAndUnreadableKeys() {
        #expect(throws: SSHError.self) { try SSHPrivateKey(text: "ssh-ed25519 AAAA public key") }
        #expect(throws: SSHError.self) {
            try SSHPrivateKey(text: "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----")
        }
        #expect(throws: SSHError.self) { try SSHPrivateKey(text: "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----") }
        #expect(throws: SSHError.self) { try SSHPrivateKey(text: "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----") }
    }
}

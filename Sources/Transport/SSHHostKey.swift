import Foundation
import Signing

/// A server's public host key as it sent it (the SSH wire blob).
public struct SSHHostKey: Sendable, Equatable {
    public var blob: [UInt8]

    public init(blob: [UInt8]) { self.blob = blob }

    /// The key's algorithm name from the blob, e.g. `ssh-ed25519`.
    public var algorithm: String {
        guard blob.count >= 4 else { return "unknown" }
        let length = blob.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, blob.count >= 4 + length else { return "unknown" }
        return String(decoding: blob[4..<(4 + length)], as: UTF8.self)
    }

    /// `SHA256:<base64, unpadded>` as `ssh-keygen -lf` prints it.
    public var sha256Fingerprint: String {
        "SHA256:" + Data(Digest.sha256(blob)).base64EncodedString().trimmingCharacters(in: CharacterSet(charactersIn: "="))
    }

    /// The legacy `aa:bb:…` MD5 form.
    public var md5Fingerprint: String {
        Digest.md5(blob).map { Digest.hex([$0]) }.joined(separator: ":")
    }
}

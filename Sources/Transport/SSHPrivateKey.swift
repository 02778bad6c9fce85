import Foundation

/// A private key from a manifest's text: PEM (`BEGIN RSA PRIVATE KEY`, `BEGIN EC PRIVATE KEY`), PKCS#8
/// (`BEGIN PRIVATE KEY`) or OpenSSH's own format (`BEGIN OPENSSH PRIVATE KEY`). Held in memory only;
/// its descriptions never show it.
public struct SSHPrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    enum Material: Sendable {
        /// PEM or PKCS#8 text libcrypto reads.
        case pem(String)
        /// An OpenSSH-format RSA key's big-endian components.
        case rsaComponents(n: [UInt8], e: [UInt8], d: [UInt8], p: [UInt8], q: [UInt8])
        /// Text libssh2 reads itself (ed25519, ECDSA in any container).
        case libssh2(String)
    }

    let material: Material
    /// What the key is, for messages: `ssh-rsa`, `ssh-ed25519`, `ecdsa-sha2-nistp256`, `PKCS#8`…
    public let algorithm: String

    public init(text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let label = Self.label(of: trimmed) else {
            throw SSHError(.key, "key is not a PEM or OpenSSH private key (no -----BEGIN … PRIVATE KEY----- line)")
        }
        let pem = trimmed + "\n"
        switch label {
        case "RSA":
            if trimmed.contains("ENCRYPTED") { throw Self.encrypted }
            material = .pem(pem)
            algorithm = "ssh-rsa"
        case "EC":
            if trimmed.contains("ENCRYPTED") { throw Self.encrypted }
            material = .libssh2(pem)
            algorithm = "ecdsa"
        case "":
            material = .pem(pem)
            algorithm = "PKCS#8"
        case "ENCRYPTED":
            throw Self.encrypted
        case "OPENSSH":
            let parsed = try OpenSSHKeyFile(text: trimmed)
            algorithm = parsed.algorithm
            if let rsa = parsed.rsa {
                material = .rsaComponents(n: rsa.n, e: rsa.e, d: rsa.d, p: rsa.p, q: rsa.q)
            } else {
                material = .libssh2(pem)
            }
        default:
            throw SSHError(.key, "key is a \(label) private key, which SSH authentication does not use here")
        }
    }

    public var description: String { "<private key>" }
    public var debugDescription: String { "<private key>" }

    static let encrypted = SSHError(.key, "key is protected by a passphrase; the manifest needs it unencrypted")

    /// `RSA` for `-----BEGIN RSA PRIVATE KEY-----`, `` for `-----BEGIN PRIVATE KEY-----`.
    static func label(of text: String) -> String? {
        guard let begin = text.range(of: "-----BEGIN "),
              let end = text.range(of: "PRIVATE KEY-----", range: begin.upperBound..<text.endIndex) else { return nil }
        return text[begin.upperBound..<end.lowerBound].trimmingCharacters(in: .whitespaces)
    }
}

/// The parts of an `openssh-key-v1` file this client needs: the key type, and an RSA key's numbers.
struct OpenSSHKeyFile {
    struct RSA { var n, e, d, p, q: [UInt8] }

    var algorithm: String
    var rsa: RSA?

    init(text: String) throws {
        let body = text.split(whereSeparator: \.isNewline)
            .filter { !$0.hasPrefix("-----") }
            .joined()
        guard let data = Data(base64Encoded: body) else { throw Self.malformed }
        var reader = SSHWireReader(Array(data))
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard reader.take(magic.count) == magic,
              let cipher = reader.string(), let _ = reader.string(), let _ = reader.string(),
              let count = reader.uint32(), count >= 1,
              let publicBlob = reader.bytes() else { throw Self.malformed }
        algorithm = SSHHostKey(blob: publicBlob).algorithm
        guard String(decoding: cipher, as: UTF8.self) == "none" else { throw SSHPrivateKey.encrypted }
        guard algorithm == "ssh-rsa" else { return }
        guard let section = reader.bytes() else { throw Self.malformed }
        var secret = SSHWireReader(section)
        guard let check1 = secret.uint32(), let check2 = secret.uint32(), check1 == check2,
              secret.string().map({ String(decoding: $0, as: UTF8.self) }) == "ssh-rsa",
              let n = secret.bytes(), let e = secret.bytes(), let d = secret.bytes(),
              let _ = secret.bytes(), let p = secret.bytes(), let q = secret.bytes() else { throw Self.malformed }
        rsa = RSA(n: n, e: e, d: d, p: p, q: q)
    }

    static let malformed = SSHError(.key, "key is not a readable OpenSSH private key")
}

/// Reads SSH wire encoding: uint32 big-endian, length-prefixed strings.
struct SSHWireReader {
    private let data: [UInt8]
    private var offset = 0

    init(_ data: [UInt8]) { self.data = data }

    mutating func take(_ count: Int) -> [UInt8]? {
        guard count >= 0, offset + count <= data.count else { return nil }
        defer { offset += count }
        return Array(data[offset..<(offset + count)])
    }

    mutating func uint32() -> UInt32? {
        take(4).map { $0.reduce(0) { $0 << 8 | UInt32($1) } }
    }

    mutating func bytes() -> [UInt8]? {
        guard let length = uint32() else { return nil }
        return take(Int(length))
    }

    mutating func string() -> [UInt8]? { bytes() }
}

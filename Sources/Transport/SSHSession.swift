import CSSH2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct SSHSessionOptions: Sendable {
    public var connectTimeout: Duration
    /// A blocking SSH operation that makes no progress for this long fails (and may be retried).
    public var ioTimeout: Duration
    public var keepaliveInterval: Duration
    /// The host key algorithms to accept, most wanted first (the pinned key's type), so the server shows that key.
    public var hostKeyAlgorithms: [String]

    /// The libssh2 this binary runs with, for messages about what it can and cannot verify.
    public static var libraryVersion: String { libssh2_version(0).map { String(cString: $0) } ?? "unknown" }

    /// Every host key algorithm libssh2 1.10 verifies, in OpenSSH's order of preference.
    public static let supportedHostKeyAlgorithms = [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
    ]

    public init(
        connectTimeout: Duration = .seconds(30), ioTimeout: Duration = .seconds(120),
        keepaliveInterval: Duration = .seconds(15), hostKeyAlgorithms: [String] = supportedHostKeyAlgorithms
    ) {
        self.connectTimeout = connectTimeout
        self.ioTimeout = ioTimeout
        self.keepaliveInterval = keepaliveInterval
        self.hostKeyAlgorithms = hostKeyAlgorithms
    }
}

/// One SSH connection over libssh2, in blocking mode. Every call blocks: use it from one `onOwnThread`
/// job at a time, never from the Swift concurrency pool.
public final class SSHSession: @unchecked Sendable {
    let session: OpaquePointer
    private let socket: Int32
    private var closed = false
    public let hostKey: SSHHostKey
    /// `host:port`, for messages.
    public let endpoint: String

    /// `host:port`, with an IPv6 address in brackets: how messages name a server.
    public static func endpoint(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private static let libraryReady: Int32 = sb_ssh2_session_init_done()

    /// Connects and completes the SSH handshake; the caller checks `hostKey` before authenticating.
    public init(host: String, port: Int, options: SSHSessionOptions, cancellation: CancellationFlag) throws {
        endpoint = Self.endpoint(host: host, port: port)
        guard Self.libraryReady == 0 else { throw SSHError(.local, "libssh2 cannot be initialised") }
        socket = try TCPConnector.connect(host: host, port: port, timeout: options.connectTimeout, cancellation: cancellation)
        guard let session = sb_ssh2_session_init() else {
            Glibc.close(socket)
            throw SSHError(.local, "cannot create an SSH session")
        }
        self.session = session
        libssh2_session_set_blocking(session, 1)
        // At least 1 ms: 0 would mean "wait forever".
        libssh2_session_set_timeout(session, max(1, options.ioTimeout.milliseconds))
        guard SSHAlgorithms.prefer(on: session) == 0 else {
            sb_ssh2_session_free(session)
            Glibc.close(socket)
            throw SSHError(.local, "libssh2 \(SSHSessionOptions.libraryVersion) lacks the ciphers or MACs asked for")
        }
        let hostKeyAlgorithms = options.hostKeyAlgorithms.filter(SSHSessionOptions.supportedHostKeyAlgorithms.contains)
        if !hostKeyAlgorithms.isEmpty {
            _ = libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, hostKeyAlgorithms.joined(separator: ","))
        }
        let rc = libssh2_session_handshake(session, socket)
        guard rc == 0 else {
            let error = SSHError.fromSession(session, code: rc, doing: "SSH handshake with \(endpoint) failed")
            sb_ssh2_session_free(session)
            Glibc.close(socket)
            throw SSHError(.connection, error.message)
        }
        // Configured only now: libssh2 1.10 fails the key exchange when keepalives are set before it.
        libssh2_keepalive_config(session, 1, UInt32(max(1, options.keepaliveInterval.components.seconds)))
        var length = 0
        var type: Int32 = 0
        guard let raw = libssh2_session_hostkey(session, &length, &type), length > 0 else {
            sb_ssh2_session_free(session)
            Glibc.close(socket)
            throw SSHError(.connection, "\(endpoint) sent no host key")
        }
        hostKey = SSHHostKey(blob: raw.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) })
    }

    deinit { close() }

    /// The cipher and MAC this session's key exchange settled on for what it sends (see `SSHAlgorithms`).
    public var sendingAlgorithms: (cipher: String, mac: String) {
        func method(_ type: Int32) -> String { libssh2_session_methods(session, type).map { String(cString: $0) } ?? "none" }
        return (method(LIBSSH2_METHOD_CRYPT_CS), method(LIBSSH2_METHOD_MAC_CS))
    }

    /// Authenticates `user` with `key`; the error says which key type was offered and what the server accepts.
    public func authenticate(user: String, key: SSHPrivateKey) throws {
        let rc: Int32
        switch key.material {
        case .pem(let text):
            if let rsa = text.withCString({ sb_ssh2_rsa_key_from_pem($0, strlen($0)) }) {
                defer { sb_ssh2_rsa_key_free(rsa) }
                rc = sb_ssh2_userauth_rsa_sha256(session, user, rsa)
            } else if key.algorithm == "PKCS#8" {
                rc = fromMemory(user: user, text: text)
            } else {
                throw SSHError(.key, "key is not a readable \(key.algorithm) private key")
            }
        case .rsaComponents(let n, let e, let d, let p, let q):
            guard let rsa = sb_ssh2_rsa_key_from_components(n, n.count, e, e.count, d, d.count, p, p.count, q, q.count) else {
                throw SSHError(.key, "key is not a usable ssh-rsa private key")
            }
            defer { sb_ssh2_rsa_key_free(rsa) }
            rc = sb_ssh2_userauth_rsa_sha256(session, user, rsa)
        case .libssh2(let text):
            rc = fromMemory(user: user, text: text)
        }
        guard rc != 0 || libssh2_userauth_authenticated(session) == 0 else { return }
        if SSHError.connectionLost(rc) {
            throw SSHError.fromSession(session, code: rc, doing: "authenticating to \(endpoint)")
        }
        let methods = user.withCString { libssh2_userauth_list(session, $0, UInt32(strlen($0))) }
            .map { String(cString: $0) } ?? "none"
        throw SSHError(.authentication,
            "\(endpoint) refused \(user) with the \(key.algorithm) key offered (error \(rc)); the server accepts: \(methods)")
    }

    private func fromMemory(user: String, text: String) -> Int32 {
        user.withCString { name in
            text.withCString { pem in
                libssh2_userauth_publickey_frommemory(session, name, strlen(name), nil, 0, pem, strlen(pem), nil)
            }
        }
    }

    /// Starts the SFTP subsystem on a new channel of this session. A server that refuses the subsystem
    /// throws a `.remote` error with `sftpUnavailable` set: retrying cannot change that, SCP can do without it.
    public func openSFTP() throws -> SFTPClient {
        guard let sftp = libssh2_sftp_init(session) else {
            let rc = libssh2_session_last_errno(session)
            var failure = SSHError.fromSession(session, code: rc, doing: "starting SFTP on \(endpoint)")
            if failure.message.contains("Unable to request SFTP subsystem") || rc == LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED {
                failure = SSHError(.remote, "\(endpoint) offers no SFTP subsystem")
                failure.sftpUnavailable = true
            }
            throw failure
        }
        return SFTPClient(session: self, sftp: sftp)
    }

    /// Files over the SCP protocol and POSIX commands, for a server without the SFTP subsystem.
    public func openSCP() -> SCPExecClient { SCPExecClient(session: self) }

    /// Sends a keepalive if one is due.
    public func keepalive() {
        var next: Int32 = 0
        _ = libssh2_keepalive_send(session, &next)
    }

    public func close() {
        guard !closed else { return }
        closed = true
        _ = sb_ssh2_session_disconnect(session, "done")
        sb_ssh2_session_free(session)
        Glibc.close(socket)
    }
}

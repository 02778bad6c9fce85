import CSSH2

/// The cipher and MAC every session asks for, both directions, before the handshake. The choice is measured,
/// not configurable: libssh2 1.10 (Debian 12) offers no AEAD cipher (no chacha20-poly1305, no aes-gcm) and no
/// `-etm` or umac MAC, and encrypts one 16-byte block per libcrypto call, so per byte:
///
/// - aes128-ctr is the cheapest cipher both ends share (AES-NI; 10 rounds against 14 for aes256-ctr). CBC
///   modes are off by default in OpenSSH servers; arcfour, blowfish, cast128 and 3des are not secure.
/// - hmac-sha2-256 costs what hmac-sha1 costs on a CPU with SHA extensions and is stronger; hmac-sha2-512
///   runs in software there (about 1.7× the time per byte). md5, ripemd160 and the truncated `-96` MACs are left out.
///
/// A server that shares none of these fails the handshake with libssh2's "unable to exchange encryption keys".
enum SSHAlgorithms {
    static let ciphers = "aes128-ctr,aes256-ctr,aes192-ctr"
    static let macs = "hmac-sha2-256,hmac-sha2-512,hmac-sha1"

    /// Sets the preferences on `session`; returns the first libssh2 error, or 0.
    static func prefer(on session: OpaquePointer) -> Int32 {
        let preferences: [(Int32, String)] = [
            (LIBSSH2_METHOD_CRYPT_CS, ciphers), (LIBSSH2_METHOD_CRYPT_SC, ciphers),
            (LIBSSH2_METHOD_MAC_CS, macs), (LIBSSH2_METHOD_MAC_SC, macs),
        ]
        for (method, list) in preferences {
            let rc = libssh2_session_method_pref(session, method, list)
            if rc != 0 { return rc }
        }
        return 0
    }
}

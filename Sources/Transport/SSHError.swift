import CSSH2

/// A failed SSH or SFTP step. Its text names hosts, paths and key types, never key material.
public struct SSHError: RetryableError, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The TCP connection or the SSH transport failed, timed out or dropped: worth another attempt.
        case connection
        /// The server's host key is not the pinned one.
        case hostKeyMismatch
        /// The server refused the key, or the key cannot be used.
        case authentication
        /// The private key text cannot be read.
        case key
        /// The SFTP server refused an operation (permission, disk full, no such folder…).
        case remote
        /// A local file could not be read.
        case local
        case cancelled
    }

    public var kind: Kind
    public var message: String
    /// The SFTP server said the file or folder does not exist (a `.remote` error).
    public var noSuchFile: Bool
    /// The server refused the SFTP subsystem (a `.remote` error): files can still travel over SCP.
    public var sftpUnavailable = false

    public init(_ kind: Kind, _ message: String, noSuchFile: Bool = false) {
        self.kind = kind
        self.message = message
        self.noSuchFile = noSuchFile
    }

    public var isRetryable: Bool { kind == .connection }

    public var description: String { message }
}

extension SSHError {
    /// The error of a failed libssh2 call on `session`, classified by its code.
    static func fromSession(_ session: OpaquePointer, code: Int32, doing action: String) -> SSHError {
        var text: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        libssh2_session_last_error(session, &text, &length, 0)
        let detail = text.map { String(cString: $0) } ?? ""
        let reason = detail.isEmpty ? "libssh2 error \(code)" : detail
        return SSHError(connectionLost(code) ? .connection : .remote, "\(action): \(reason)")
    }

    static func connectionLost(_ code: Int32) -> Bool {
        switch code {
        case LIBSSH2_ERROR_SOCKET_NONE, LIBSSH2_ERROR_BANNER_RECV, LIBSSH2_ERROR_BANNER_SEND,
             LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_SOCKET_TIMEOUT,
             LIBSSH2_ERROR_TIMEOUT, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_CHANNEL_CLOSED,
             LIBSSH2_ERROR_CHANNEL_EOF_SENT, LIBSSH2_ERROR_KEX_FAILURE, LIBSSH2_ERROR_DECRYPT,
             LIBSSH2_ERROR_CHANNEL_FAILURE, LIBSSH2_ERROR_EAGAIN, LIBSSH2_ERROR_BAD_SOCKET:
            true
        default:
            false
        }
    }
}

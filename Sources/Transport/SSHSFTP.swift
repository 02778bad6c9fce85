import CSSH2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SFTP over one channel of an `SSHSession`. Paths go to the server as they are, in SFTP packets (a
/// component holding a name that is not UTF-8 as its exact bytes, see `ByteNames`): no shell ever sees them. Blocking, like its session. Transfers are in `SFTPTransfer.swift`, stat and
/// listing in `SFTPListing.swift`.
public final class SFTPClient: @unchecked Sendable {
    let session: SSHSession
    let sftp: OpaquePointer
    private var knownFolders: Set<String> = []
    private var closed = false

    init(session: SSHSession, sftp: OpaquePointer) {
        self.session = session
        self.sftp = sftp
    }

    deinit { close() }

    public func close() {
        guard !closed else { return }
        closed = true
        libssh2_sftp_shutdown(sftp)
    }

    /// Creates `path` and every missing folder above it, as `mkdir -p` does.
    public func createFolders(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if prefix == "./" + component { prefix = String(component) }
            if knownFolders.contains(prefix) { continue }
            let state = isFolder(prefix)
            if state == 1 { knownFolders.insert(prefix); continue }
            if state == 0 { throw SSHError(.remote, "cannot create folder \(prefix): a file of that name exists") }
            let rc = ByteNames.withCPath(prefix) { sb_ssh2_sftp_mkdir(sftp, $0, $1, 0o755) }
            // Another channel may have created it meanwhile.
            if rc != 0 && isFolder(prefix) != 1 { throw error(rc, "cannot create folder \(prefix)") }
            knownFolders.insert(prefix)
        }
    }

    private func isFolder(_ path: String) -> Int32 {
        ByteNames.withCPath(path) { sb_ssh2_sftp_is_folder(sftp, $0, $1) }
    }

    /// Renames `from` to `to`, replacing `to` if it exists; an existing `to` is first moved to `aside`, a name
    /// the caller's clean-up of interrupted writes recognises.
    public func rename(_ from: String, to: String, aside: String) throws {
        var rc = renameOnce(from, to)
        if rc != 0 && lastStatus != UInt(LIBSSH2_FX_NO_SUCH_FILE) && !SSHError.connectionLost(rc) {
            // SFTP v3 servers (OpenSSH) refuse to rename over an existing file. Move the old one aside
            // first, so that a failure here never leaves neither the old file nor the new one.
            if renameOnce(to, aside) == 0 {
                rc = renameOnce(from, to)
                if rc == 0 { _ = try? remove(aside) } else { _ = renameOnce(aside, to) }
            } else {
                rc = renameOnce(from, to)
            }
        }
        guard rc == 0 else { throw error(rc, "cannot rename \(from) to \(to)") }
    }

    private func renameOnce(_ from: String, _ to: String) -> Int32 {
        ByteNames.withCPath(from) { f, fromLength in ByteNames.withCPath(to) { t, toLength in sb_ssh2_sftp_rename(sftp, f, fromLength, t, toLength) } }
    }

    /// Removes the file at `path`; a file that is not there is not an error.
    public func remove(_ path: String) throws {
        let rc = ByteNames.withCPath(path) { sb_ssh2_sftp_unlink(sftp, $0, $1) }
        guard rc != 0 else { return }
        let failure = error(rc, "cannot remove \(path)")
        if !failure.noSuchFile { throw failure }
    }

    /// Sends a keepalive on the session if one is due.
    public func keepalive() { session.keepalive() }

    private var lastStatus: UInt { libssh2_sftp_last_error(sftp) }

    /// The error of a failed call on this channel; `noSuchFile` when the server said the path does not exist.
    func error(_ rc: Int32, _ action: String) -> SSHError {
        guard rc == LIBSSH2_ERROR_SFTP_PROTOCOL else { return SSHError.fromSession(session.session, code: rc, doing: action) }
        let status = lastStatus
        let reason: String = switch Int32(status) {
        case Int32(LIBSSH2_FX_NO_SUCH_FILE), Int32(LIBSSH2_FX_NO_SUCH_PATH): "no such file or folder"
        case Int32(LIBSSH2_FX_PERMISSION_DENIED), Int32(LIBSSH2_FX_WRITE_PROTECT): "permission denied"
        case Int32(LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM): "no space left on the server"
        case Int32(LIBSSH2_FX_QUOTA_EXCEEDED): "quota exceeded"
        case Int32(LIBSSH2_FX_FILE_ALREADY_EXISTS): "file exists"
        case Int32(LIBSSH2_FX_NOT_A_DIRECTORY): "not a folder"
        case Int32(LIBSSH2_FX_NO_CONNECTION), Int32(LIBSSH2_FX_CONNECTION_LOST): "connection lost"
        default: "SFTP status \(status)"
        }
        let lost = status == UInt(LIBSSH2_FX_NO_CONNECTION) || status == UInt(LIBSSH2_FX_CONNECTION_LOST)
        let missing = status == UInt(LIBSSH2_FX_NO_SUCH_FILE) || status == UInt(LIBSSH2_FX_NO_SUCH_PATH)
        return SSHError(lost ? .connection : .remote, "\(action): \(reason)", noSuchFile: missing)
    }
}

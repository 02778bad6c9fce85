import CSSH2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SFTP over one channel of an `SSHSession`. Paths go to the server as they are, in SFTP packets:
/// no shell ever sees them. Blocking, like its session.
public final class SFTPClient: @unchecked Sendable {
    private let session: SSHSession
    private let sftp: OpaquePointer
    private var knownFolders: Set<String> = []
    private var closed = false

    /// Bytes handed to libssh2 per write call; it splits them into pipelined SFTP packets.
    static let writeWindow = 4 << 20
    /// Refill the write buffer once this much of it has been acknowledged (half: each byte is moved at most once).
    static let refillThreshold = writeWindow / 2

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
            let rc = prefix.withCString { sb_ssh2_sftp_mkdir(sftp, $0, strlen($0), 0o755) }
            // Another channel may have created it meanwhile.
            if rc != 0 && isFolder(prefix) != 1 { throw error(rc, "cannot create folder \(prefix)") }
            knownFolders.insert(prefix)
        }
    }

    private func isFolder(_ path: String) -> Int32 {
        path.withCString { sb_ssh2_sftp_is_folder(sftp, $0, strlen($0)) }
    }

    /// Writes the local file at `localPath` to `remotePath` (created or truncated), returning the bytes sent.
    @discardableResult
    public func write(localPath: String, to remotePath: String, cancellation: CancellationFlag) throws -> Int64 {
        let input = open(localPath, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw SSHError(.local, "cannot read \(localPath): \(String(cString: strerror(errno)))") }
        defer { Glibc.close(input) }
        guard let handle = remotePath.withCString({ sb_ssh2_sftp_open_for_writing(sftp, $0, strlen($0), 0o644) }) else {
            throw error(libssh2_session_last_errno(session.session), "cannot open \(remotePath) for writing")
        }
        var handleOpen = true
        defer { if handleOpen { _ = sb_ssh2_sftp_close(handle) } }

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.writeWindow, alignment: 16)
        defer { buffer.deallocate() }
        let base = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
        var start = 0, end = 0, total: Int64 = 0
        var endOfFile = false
        // libssh2 1.10 may have sent part of an SFTP packet when a write call returns; abandoning the call
        // would leave the channel mid-packet. So a stop (cancellation, read error) first lets the data
        // already handed over (at most `writeWindow`) be acknowledged, then closes cleanly.
        var stop: SSHError?
        while true {
            if stop == nil && cancellation.isCancelled { stop = SSHError(.cancelled, "upload of \(remotePath) cancelled") }
            if stop == nil && !endOfFile && (start >= Self.refillThreshold || end == 0) {
                if start > 0 {
                    memmove(base, base + start, end - start)
                    end -= start
                    start = 0
                }
                while end < Self.writeWindow {
                    let count = read(input, base + end, Self.writeWindow - end)
                    if count < 0 {
                        if errno == EINTR { continue }
                        stop = SSHError(.local, "cannot read \(localPath): \(String(cString: strerror(errno)))")
                        break
                    }
                    if count == 0 { endOfFile = true; break }
                    end += count
                }
            }
            if start == end && (endOfFile || stop != nil) { break }
            // libssh2 keeps sending what it already packetised; each call returns the bytes acknowledged so far.
            let sent = libssh2_sftp_write(handle, base + start, end - start)
            if sent < 0 { throw error(Int32(sent), "cannot write \(remotePath)") }
            start += sent
            total += Int64(sent)
        }
        if let stop { throw stop }
        handleOpen = false
        let rc = sb_ssh2_sftp_close(handle)
        guard rc == 0 else { throw error(rc, "cannot finish writing \(remotePath)") }
        return total
    }

    /// Renames `from` to `to`, replacing `to` if it exists.
    public func rename(_ from: String, to: String) throws {
        var rc = renameOnce(from, to)
        if rc != 0 && lastStatus != UInt(LIBSSH2_FX_NO_SUCH_FILE) && !SSHError.connectionLost(rc) {
            // SFTP v3 servers (OpenSSH) refuse to rename over an existing file. Move the old one aside
            // first, so that a failure here never leaves neither the old file nor the new one.
            let aside = to + ".replaced-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
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
        from.withCString { f in to.withCString { t in sb_ssh2_sftp_rename(sftp, f, strlen(f), t, strlen(t)) } }
    }

    public func remove(_ path: String) throws {
        let rc = path.withCString { sb_ssh2_sftp_unlink(sftp, $0, strlen($0)) }
        guard rc == 0 else { throw error(rc, "cannot remove \(path)") }
    }

    /// Sends a keepalive on the session if one is due.
    public func keepalive() { session.keepalive() }

    private var lastStatus: UInt { libssh2_sftp_last_error(sftp) }

    private func error(_ rc: Int32, _ action: String) -> SSHError {
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
        return SSHError(lost ? .connection : .remote, "\(action): \(reason)")
    }
}

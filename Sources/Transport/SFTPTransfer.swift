import CSSH2
import Foundation
import Signing
#if canImport(Glibc)
import Glibc
#endif

/// The size and SHA-256 of the bytes a transfer moved, hashed as they went.
public struct SFTPTransferred: Sendable, Equatable {
    public var size: Int64
    public var sha256: [UInt8]
}

extension SFTPClient {
    /// Bytes read ahead and handed to libssh2 at most (the size of the ring they are read into). libssh2 splits
    /// them into pipelined SFTP packets, a copy of each held until the server acknowledges it, so a transfer holds
    /// up to twice this. 1 MiB keeps a session's share of the process's memory small (four sessions stay well
    /// under the 64 MiB bound); loopback and LAN links do not outrun it (measured: no slower than 4 MiB).
    static let writeWindow = 1 << 20
    /// libssh2 (1.10, 1.11) cuts what it is handed into SFTP write packets of at most this many bytes: reads in
    /// whole multiples of it go out in full packets only, not one short packet per read.
    static let packetData = 30000
    /// Read ahead again once this much of the window has been acknowledged: the window stays three-quarters full
    /// or more, and the ring never moves a byte.
    static let refillThreshold = 8 * packetData
    /// Bytes asked of libssh2 per read call. libssh2 1.10 keeps four times this requested ahead, the answers
    /// held in memory until read: 256 KiB keeps 1 MiB in flight per session (2 MiB took 7 MiB of memory each).
    static let readWindow = 256 << 10

    /// Writes `length` bytes of the local file at `localPath` from `offset` to `remotePath` (created or
    /// truncated). Returns the size and SHA-256 of the bytes read from the file as they were sent.
    public func write(
        localPath: String, offset: Int64 = 0, length: Int64, to remotePath: String, cancellation: CancellationFlag
    ) throws -> SFTPTransferred {
        let input = open(localPath, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw SSHError(.local, "cannot read \(localPath): \(String(cString: strerror(errno)))") }
        defer { Glibc.close(input) }
        let ring = try MirroredRing(capacity: Self.writeWindow)
        guard let handle = ByteNames.withCPath(remotePath, { sb_ssh2_sftp_open_for_writing(sftp, $0, $1, 0o644) }) else {
            throw error(libssh2_session_last_errno(session.session), "cannot open \(remotePath) for writing")
        }
        var handleOpen = true
        defer { if handleOpen { _ = sb_ssh2_sftp_close(handle) } }

        var hasher = DigestHasher(.sha256)
        // Positions in the file, from `offset`: [acked, read) is in the ring, [acked, handed) with libssh2.
        var acked: Int64 = 0, read: Int64 = 0
        // libssh2 1.10 may have sent part of an SFTP packet when a write call returns; abandoning the call
        // would leave the channel mid-packet. So a stop (cancellation, read error) first lets the data
        // already handed over (at most `writeWindow`) be acknowledged, then closes cleanly.
        var stop: SSHError?
        while true {
            if stop == nil && cancellation.isCancelled { stop = SSHError(.cancelled, "upload of \(remotePath) cancelled") }
            // A paced write reads one admitted share at a time and sends it before reading the next.
            let paced = cancellation.isPaced
            let free = Self.writeWindow - Int(read - acked)
            if stop == nil && read < length && (free >= Self.refillThreshold || read == acked) {
                while read < length {
                    let room = Self.writeWindow - Int(read - acked)
                    let rest = length - read
                    // Whole packets, but for the file's last bytes.
                    let fits = Int64(room) >= rest ? Int(rest) : room - room % Self.packetData
                    if fits == 0 { break }
                    let wanted = cancellation.admit(upTo: fits)
                    if wanted == 0 {
                        stop = SSHError(.cancelled, "upload of \(remotePath) cancelled")
                        break
                    }
                    let count = pread(input, ring.at(read), wanted, off_t(offset + read))
                    if count < 0 {
                        if errno == EINTR { continue }
                        stop = SSHError(.local, "cannot read \(localPath): \(String(cString: strerror(errno)))")
                        break
                    }
                    if count == 0 {
                        stop = SSHError(.local, "cannot read \(localPath): it became shorter while being uploaded")
                        break
                    }
                    hasher.update(UnsafeRawBufferPointer(start: ring.at(read), count: count))
                    read += Int64(count)
                    cancellation.didRead(count)
                    if paced { break }
                }
            }
            if acked == read && (read >= length || stop != nil) { break }
            // libssh2 keeps sending what it already packetised; each call returns the bytes acknowledged so far.
            let sent = libssh2_sftp_write(handle, ring.at(acked), Int(read - acked))
            if sent < 0 { throw error(Int32(sent), "cannot write \(remotePath)") }
            acked += Int64(sent)
        }
        if let stop { throw stop }
        handleOpen = false
        let rc = sb_ssh2_sftp_close(handle)
        guard rc == 0 else { throw error(rc, "cannot finish writing \(remotePath)") }
        return SFTPTransferred(size: acked, sha256: hasher.finish())
    }

    /// Streams the file at `remotePath` into the local file at `localPath` (created or truncated), returning
    /// the size and SHA-256 of the bytes written. When the remote file cannot be opened the local one is not
    /// touched (`noSuchFile` tells a missing one); when the transfer fails or is cancelled it is removed.
    public func read(_ remotePath: String, toLocalPath localPath: String, cancellation: CancellationFlag) throws -> SFTPTransferred {
        guard let handle = ByteNames.withCPath(remotePath, { sb_ssh2_sftp_open_for_reading(sftp, $0, $1) }) else {
            throw error(libssh2_session_last_errno(session.session), "cannot open \(remotePath) for reading")
        }
        defer { _ = sb_ssh2_sftp_close(handle) }
        let file = try DownloadFile(path: localPath)
        var complete = false
        defer { if !complete { unlink(localPath) } }

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readWindow, alignment: 16)
        defer { buffer.deallocate() }
        let base = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
        while true {
            if cancellation.isCancelled { throw SSHError(.cancelled, "download of \(remotePath) cancelled") }
            let count = libssh2_sftp_read(handle, base, Self.readWindow)
            if count < 0 { throw error(Int32(count), "cannot read \(remotePath)") }
            if count == 0 { break }
            if let failure = file.write(UnsafeRawBufferPointer(start: base, count: count)) { throw SSHError(.local, failure.message) }
        }
        complete = true
        return SFTPTransferred(size: file.written, sha256: file.finish())
    }
}

import CSSH2
import Foundation
import Signing
#if canImport(Glibc)
import Glibc
#endif

/// Files on a server that offers no SFTP subsystem: contents travel over the SCP protocol (libssh2's
/// `scp -t` / `scp -f`), folders, renames, removals, stat and listing are POSIX shell commands on exec
/// channels. Every path reaches the shell single-quoted, so no character of it is ever interpreted.
public final class SCPExecClient: SSHFileAccess, @unchecked Sendable {
    let session: SSHSession
    private var knownFolders: Set<String> = []
    static let chunk = 1 << 20

    init(session: SSHSession) { self.session = session }

    public func close() {}

    public func keepalive() { session.keepalive() }

    /// `text` as one shell word: single-quoted, each `'` written `'\''`; a leading `-` behind `./`, so no
    /// command takes a path for an option.
    /// A component holding a name that is not UTF-8 (`ByteNames`) becomes its exact bytes, each stray byte
    /// made by `printf` with an octal escape.
    public static func quoted(_ text: String) -> String {
        let path = text.hasPrefix("-") ? "./" + text : text
        let bytes = ByteNames.bytes(path)
        guard String(validating: bytes, as: UTF8.self) == nil else { return singleQuoted(path) }
        var word = ""
        var rest = bytes[...]
        while let first = rest.first {
            let valid = (1...min(4, rest.count)).first { String(validating: rest.prefix($0), as: UTF8.self) != nil }
            if let valid {
                var run = valid
                while run < rest.count, let next = (1...min(4, rest.count - run)).first(where: {
                    String(validating: rest.dropFirst(run).prefix($0), as: UTF8.self) != nil
                }) { run += next }
                word += singleQuoted(String(decoding: rest.prefix(run), as: UTF8.self))
                rest = rest.dropFirst(run)
            } else {
                word += "\"$(printf '\\" + String(first, radix: 8) + "')\""
                rest = rest.dropFirst()
            }
        }
        return word
    }

    static func singleQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// What a remote command printed and how it ended.
    struct Outcome {
        var status: Int32
        var output: [UInt8]
        var errorText: String
    }

    /// Runs `command` (a POSIX shell command line) on an exec channel and waits for it to end.
    func run(_ command: String, doing action: String, outputLimit: Int = 256 << 20) throws -> Outcome {
        guard let channel = command.withCString({ sb_ssh2_channel_exec(session.session, $0, strlen($0)) }) else {
            throw SSHError.fromSession(session.session, code: libssh2_session_last_errno(session.session), doing: action)
        }
        defer { libssh2_channel_free(channel) }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: 32 << 10)
        defer { buffer.deallocate() }
        var output: [UInt8] = []
        var errors: [UInt8] = []
        for stream: Int32 in [0, 1] {
            while true {
                let count = sb_ssh2_channel_read(channel, stream, buffer, 32 << 10)
                if count < 0 { throw SSHError.fromSession(session.session, code: Int32(count), doing: action) }
                if count == 0 { break }
                let bytes = UnsafeRawBufferPointer(start: buffer, count: count)
                if stream == 0 {
                    output.append(contentsOf: bytes)
                    if output.count > outputLimit { throw SSHError(.remote, "\(action): the server's answer exceeds \(outputLimit) bytes") }
                } else if errors.count < 4096 {
                    errors.append(contentsOf: bytes.prefix(4096 - errors.count))
                }
            }
        }
        _ = libssh2_channel_close(channel)
        let status = libssh2_channel_get_exit_status(channel)
        return Outcome(status: status, output: output,
                       errorText: String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Runs `command`; a non-zero exit is a `.remote` error naming what failed and what the server said.
    @discardableResult
    func runChecked(_ command: String, doing action: String) throws -> Outcome {
        let outcome = try run(command, doing: action)
        guard outcome.status == 0 else { throw Self.failure(outcome, action) }
        return outcome
    }

    static func failure(_ outcome: Outcome, _ action: String) -> SSHError {
        let said = outcome.errorText.isEmpty ? "exit status \(outcome.status)" : outcome.errorText
        let hint = outcome.status == 127 ? " (a command this store needs is missing on the server)" : ""
        return SSHError(.remote, "\(action): \(said)\(hint)", noSuchFile: said.contains("No such file"))
    }

    public func createFolders(_ path: String) throws {
        guard !path.isEmpty, !knownFolders.contains(path) else { return }
        try runChecked("mkdir -p \(Self.quoted(path))", doing: "cannot create folder \(path)")
        knownFolders.insert(path)
    }

    public func rename(_ from: String, to: String, aside: String) throws {
        // mv within one file system is rename(2): it replaces `to` at once, never leaving neither file.
        try runChecked("mv -f \(Self.quoted(from)) \(Self.quoted(to))", doing: "cannot rename \(from) to \(to)")
    }

    public func remove(_ path: String) throws {
        try runChecked("rm -f \(Self.quoted(path))", doing: "cannot remove \(path)")
    }

    /// Prints `<size> <mtime seconds or -> ` for the file in "$f": GNU/busybox stat, BSD stat, else wc -c.
    static let describeFile = #"s=$(stat -L -c '%s %Y' "$f" 2>/dev/null || stat -L -f '%z %m' "$f" 2>/dev/null || echo "$(wc -c < "$f") -")"#

    public func stat(_ path: String) throws -> SFTPFileInfo? {
        let command = "f=\(Self.quoted(path)); [ -f \"$f\" ] || exit 3; \(Self.describeFile) && printf '%s' \"$s\""
        let outcome = try run(command, doing: "cannot stat \(path)")
        if outcome.status == 3 { return nil }
        guard outcome.status == 0, let (size, modified) = Self.sizeAndTime(outcome.output[...]) else {
            throw Self.failure(outcome, "cannot stat \(path)")
        }
        return SFTPFileInfo(path: path, size: size, modified: modified)
    }

    public func listFiles(under folder: String, cancellation: CancellationFlag) throws -> [SFTPFileInfo] {
        let root = folder.isEmpty ? "." : folder
        if cancellation.isCancelled { throw SSHError(.cancelled, "listing of \(root) cancelled") }
        // NUL after each entry: a name may hold any byte but NUL and `/`.
        let each = "for f do \(Self.describeFile); printf '%s %s\\0' \"$s\" \"$f\"; done"
        let command = "[ -d \(Self.quoted(root)) ] || exit 0; cd \(Self.quoted(root)) && find . -type f -exec sh -c \(Self.singleQuoted(each)) sh {} +"
        let outcome = try runChecked(command, doing: "cannot list \(root)")
        var found: [SFTPFileInfo] = []
        for entry in outcome.output.split(separator: 0) {
            // "<size> <mtime> ./<path>"
            let fields = entry.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, let (size, modified) = Self.sizeAndTime(fields[0] + [0x20] + fields[1]) else {
                throw SSHError(.remote, "cannot list \(root): unexpected answer \(String(decoding: entry, as: UTF8.self))")
            }
            var name = Array(fields[2])
            if name.starts(with: [0x2E, 0x2F]) { name.removeFirst(2) }
            let path = ByteNames.text(name)  // a name that is not UTF-8 as its key text
            found.append(SFTPFileInfo(path: path, size: size, modified: modified))
        }
        return found
    }

    static func sizeAndTime(_ text: ArraySlice<UInt8>) -> (Int64, Date?)? {
        let fields = String(decoding: text, as: UTF8.self).split(separator: " ")
        guard fields.count == 2, let size = Int64(fields[0].trimmingCharacters(in: .whitespaces)) else { return nil }
        return (size, Double(fields[1]).map { Date(timeIntervalSince1970: $0) })
    }

    public func write(
        localPath: String, offset: Int64, length: Int64, to remotePath: String, cancellation: CancellationFlag
    ) throws -> SFTPTransferred {
        let input = open(localPath, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw SSHError(.local, "cannot read \(localPath): \(String(cString: strerror(errno)))") }
        defer { Glibc.close(input) }
        guard let channel = ByteNames.withCPath(remotePath, { path, _ in sb_ssh2_scp_send(session.session, path, 0o644, length) }) else {
            throw scpError("cannot start writing \(remotePath) over SCP")
        }
        var open = true
        defer { if open { libssh2_channel_free(channel) } }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Self.chunk)
        defer { buffer.deallocate() }
        var hasher = DigestHasher(.sha256)
        var sent: Int64 = 0
        while sent < length {
            if cancellation.isCancelled { throw SSHError(.cancelled, "upload of \(remotePath) cancelled") }
            let wanted = cancellation.admit(upTo: Int(min(Int64(Self.chunk), length - sent)))
            if wanted == 0 { throw SSHError(.cancelled, "upload of \(remotePath) cancelled") }
            let count = pread(input, buffer, wanted, off_t(offset + sent))
            if count < 0 {
                if errno == EINTR { continue }
                throw SSHError(.local, "cannot read \(localPath): \(String(cString: strerror(errno)))")
            }
            if count == 0 { throw SSHError(.local, "cannot read \(localPath): it became shorter while being uploaded") }
            hasher.update(UnsafeRawBufferPointer(start: buffer, count: count))
            cancellation.didRead(count)
            var done = 0
            while done < count {
                let written = sb_ssh2_channel_write(channel, buffer + done, count - done)
                if written < 0 { throw SSHError.fromSession(session.session, code: Int32(written), doing: "cannot write \(remotePath)") }
                done += written
            }
            sent += Int64(count)
        }
        // The SCP protocol ends a file with one zero byte; then the receiving scp acknowledges and exits.
        var end: CChar = 0
        guard sb_ssh2_channel_write(channel, &end, 1) == 1 else {
            throw SSHError.fromSession(session.session, code: libssh2_session_last_errno(session.session), doing: "cannot finish writing \(remotePath)")
        }
        _ = libssh2_channel_send_eof(channel)
        _ = libssh2_channel_wait_eof(channel)
        _ = libssh2_channel_wait_closed(channel)
        let status = libssh2_channel_get_exit_status(channel)
        open = false
        libssh2_channel_free(channel)
        guard status == 0 else { throw SSHError(.remote, "cannot finish writing \(remotePath): the server's scp exited with status \(status)") }
        return SFTPTransferred(size: sent, sha256: hasher.finish())
    }

    public func read(_ remotePath: String, toLocalPath localPath: String, cancellation: CancellationFlag) throws -> SFTPTransferred {
        var size: Int64 = 0, modified: Int64 = 0
        guard let channel = ByteNames.withCPath(remotePath, { path, _ in sb_ssh2_scp_recv(session.session, path, &size, &modified) }) else {
            var failure = scpError("cannot read \(remotePath) over SCP")
            // libssh2 keeps the remote scp's reason to itself: ask whether the file is there at all.
            if failure.kind == .remote, !failure.noSuchFile, try stat(remotePath) == nil {
                failure = SSHError(.remote, "cannot read \(remotePath): no such file", noSuchFile: true)
            }
            throw failure
        }
        defer { libssh2_channel_free(channel) }
        let file = try DownloadFile(path: localPath)
        var complete = false
        defer { if !complete { unlink(localPath) } }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Self.chunk)
        defer { buffer.deallocate() }
        var got: Int64 = 0
        while got < size {
            if cancellation.isCancelled { throw SSHError(.cancelled, "download of \(remotePath) cancelled") }
            let count = sb_ssh2_channel_read(channel, 0, buffer, Int(min(Int64(Self.chunk), size - got)))
            if count < 0 { throw SSHError.fromSession(session.session, code: Int32(count), doing: "cannot read \(remotePath)") }
            if count == 0 { throw SSHError(.connection, "cannot read \(remotePath): the transfer ended after \(got) of \(size) bytes") }
            if let failure = file.write(UnsafeRawBufferPointer(start: buffer, count: count)) { throw SSHError(.local, failure.message) }
            got += Int64(count)
        }
        complete = true
        return SFTPTransferred(size: file.written, sha256: file.finish())
    }

    /// A failed SCP start: the remote scp's own message when it sent one (a missing file is `noSuchFile`).
    private func scpError(_ action: String) -> SSHError {
        let code = libssh2_session_last_errno(session.session)
        let failure = SSHError.fromSession(session.session, code: code, doing: action)
        guard code == LIBSSH2_ERROR_SCP_PROTOCOL else { return failure }
        return SSHError(.remote, failure.message, noSuchFile: failure.message.contains("No such file"))
    }
}

import CSSH2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A regular file on an SFTP server, as a stat or a listing shows it.
public struct SFTPFileInfo: Sendable, Equatable {
    /// The path asked for (stat), or the path relative to the listed folder (listing).
    public var path: String
    public var size: Int64
    /// The modification time, when the server tells it.
    public var modified: Date?

    public init(path: String, size: Int64, modified: Date?) {
        self.path = path
        self.size = size
        self.modified = modified
    }
}

extension SFTPClient {
    /// The regular file at `path` (symbolic links followed), or nil when there is none (nothing there, or a folder).
    public func stat(_ path: String) throws -> SFTPFileInfo? {
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        let rc = ByteNames.withCPath(path) { sb_ssh2_sftp_stat(sftp, $0, $1, 1, &attributes) }
        if rc != 0 {
            let failure = error(rc, "cannot stat \(path)")
            if failure.noSuchFile { return nil }
            throw failure
        }
        return Self.regularFile(path, attributes)
    }

    /// Every regular file below `folder`, hidden ones included, with paths relative to it; symbolic links
    /// are not followed. A folder that does not exist lists as empty.
    public func listFiles(under folder: String, cancellation: CancellationFlag) throws -> [SFTPFileInfo] {
        var found: [SFTPFileInfo] = []
        var pending = [""]
        let root = folder.isEmpty ? "." : folder
        while let relative = pending.popLast() {
            if cancellation.isCancelled { throw SSHError(.cancelled, "listing of \(root) cancelled") }
            let path = relative.isEmpty ? root : root + "/" + relative
            let entries: [(name: String, attributes: LIBSSH2_SFTP_ATTRIBUTES)]
            do {
                entries = try readFolder(path)
            } catch let failure as SSHError where failure.noSuchFile {
                continue  // the root is missing, or a folder went away while listing
            }
            for (name, listed) in entries where name != "." && name != ".." {
                let child = relative.isEmpty ? name : relative + "/" + name
                var attributes = listed
                if attributes.flags & UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS) == 0 {
                    let rc = ByteNames.withCPath(root + "/" + child) { sb_ssh2_sftp_stat(sftp, $0, $1, 0, &attributes) }
                    if rc != 0 { continue }
                }
                if Self.fileType(attributes) == UInt(LIBSSH2_SFTP_S_IFDIR) {
                    pending.append(child)
                } else if let file = Self.regularFile(child, attributes) {
                    found.append(file)
                }
            }
        }
        return found
    }

    /// The names in the folder at `path` with the attributes the server sent along.
    private func readFolder(_ path: String) throws -> [(name: String, attributes: LIBSSH2_SFTP_ATTRIBUTES)] {
        guard let handle = ByteNames.withCPath(path, { sb_ssh2_sftp_open_folder(sftp, $0, $1) }) else {
            throw error(libssh2_session_last_errno(session.session), "cannot list \(path)")
        }
        defer { _ = sb_ssh2_sftp_close(handle) }
        var entries: [(name: String, attributes: LIBSSH2_SFTP_ATTRIBUTES)] = []
        var name = [CChar](repeating: 0, count: 4096)
        while true {
            var attributes = LIBSSH2_SFTP_ATTRIBUTES()
            let count = name.withUnsafeMutableBufferPointer { buffer in
                libssh2_sftp_readdir_ex(handle, buffer.baseAddress, buffer.count, nil, 0, &attributes)
            }
            if count < 0 { throw error(count, "cannot list \(path)") }
            if count == 0 { break }
            let bytes = name[0..<Int(count)].map { UInt8(bitPattern: $0) }
            entries.append((ByteNames.text(bytes), attributes))  // a name that is not UTF-8 as its key text
        }
        return entries
    }

    private static func fileType(_ attributes: LIBSSH2_SFTP_ATTRIBUTES) -> UInt {
        attributes.permissions & UInt(LIBSSH2_SFTP_S_IFMT)
    }

    private static func regularFile(_ path: String, _ attributes: LIBSSH2_SFTP_ATTRIBUTES) -> SFTPFileInfo? {
        guard attributes.flags & UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS) != 0,
              fileType(attributes) == UInt(LIBSSH2_SFTP_S_IFREG) else { return nil }
        let size = attributes.flags & UInt(LIBSSH2_SFTP_ATTR_SIZE) != 0 ? Int64(attributes.filesize) : 0
        let modified = attributes.flags & UInt(LIBSSH2_SFTP_ATTR_ACMODTIME) != 0
            ? Date(timeIntervalSince1970: Double(attributes.mtime)) : nil
        return SFTPFileInfo(path: path, size: size, modified: modified)
    }
}

import Foundation

/// What the scp store needs of a server's files, whichever way they travel: SFTP (`SFTPClient`), or the SCP
/// protocol with POSIX commands for servers without the SFTP subsystem (`SCPExecClient`). Blocking, like the
/// session it runs on.
public protocol SSHFileAccess: AnyObject, Sendable {
    /// Creates `path` and every missing folder above it, as `mkdir -p` does.
    func createFolders(_ path: String) throws
    /// Writes `length` bytes of the local file from `offset` to `remotePath`; returns the size and SHA-256 sent.
    func write(localPath: String, offset: Int64, length: Int64, to remotePath: String, cancellation: CancellationFlag) throws -> SFTPTransferred
    /// Renames `from` to `to`, replacing `to`; `aside` is a name the store's sweeping recognises, should the
    /// old `to` have to be moved out of the way first.
    func rename(_ from: String, to: String, aside: String) throws
    /// Removes the file at `path`; a file that is not there is not an error.
    func remove(_ path: String) throws
    /// The regular file at `path` (links followed), or nil when there is none.
    func stat(_ path: String) throws -> SFTPFileInfo?
    /// Every regular file below `folder`, paths relative to it; a missing folder lists as empty.
    func listFiles(under folder: String, cancellation: CancellationFlag) throws -> [SFTPFileInfo]
    /// Streams the file at `remotePath` into `localPath`; returns the size and SHA-256 written.
    func read(_ remotePath: String, toLocalPath localPath: String, cancellation: CancellationFlag) throws -> SFTPTransferred
    /// Sends a keepalive on the session if one is due.
    func keepalive()
    func close()
}

extension SFTPClient: SSHFileAccess {}

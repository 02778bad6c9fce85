import Foundation
import Synchronization
import Transport
import Storage

/// One SSH connection of the store's pool with its SFTP channel, opened on first use and again after a
/// failure. Only one `onOwnThread` job uses a slot at a time; the lock guards the hand-over between threads.
final class SCPConnectionSlot: Sendable {
    struct Connection {
        var session: SSHSession
        /// SFTP, or SCP with POSIX commands when the server offers no SFTP subsystem.
        var files: any SSHFileAccess
    }

    let target: SCPTarget

    private let state = Mutex<Connection?>(nil)
    private let seenHostKey = Mutex<SSHHostKey?>(nil)
    /// Set once the server refused SFTP: later connections go straight to SCP.
    private let withoutSFTP = Mutex(false)
    /// Temporary files a dropped connection left behind, removed once connected again.
    private let strayTemporaries = Mutex<[String]>([])

    /// The host key the server showed on this slot's first connection.
    var hostKey: SSHHostKey? { seenHostKey.withLock { $0 } }

    init(target: SCPTarget) { self.target = target }

    /// Runs `work` on this slot's connection, opening it first if needed. A connection that dropped or whose
    /// work was cancelled is closed, so the next use starts on a fresh one.
    func run<T>(cancellation: CancellationFlag, _ work: (Connection) throws -> T) throws -> T {
        do {
            return try work(try connection(cancellation: cancellation))
        } catch let error as SSHError where error.kind == .connection || error.kind == .cancelled {
            close()
            throw error
        }
    }

    private func connection(cancellation: CancellationFlag) throws -> Connection {
        if let open = state.withLock({ $0 }) { return open }
        let session = try pinnedSession(cancellation: cancellation)
        do {
            seenHostKey.withLock { if $0 == nil { $0 = session.hostKey } }
            try session.authenticate(user: target.user, key: target.key)
            let connection = Connection(session: session, files: try openFiles(on: session))
            state.withLock { $0 = connection }
            for stray in strayTemporaries.withLock({ stray in defer { stray = [] }; return stray }) {
                try? connection.files.remove(stray)
            }
            return connection
        } catch {
            session.close()
            throw error
        }
    }

    /// SFTP when the server offers it, else SCP with POSIX commands (logged once by the store).
    private func openFiles(on session: SSHSession) throws -> any SSHFileAccess {
        if withoutSFTP.withLock({ $0 }) { return session.openSCP() }
        do {
            return try session.openSFTP()
        } catch let error as SSHError where error.sftpUnavailable {
            withoutSFTP.withLock { $0 = true }
            return session.openSCP()
        }
    }

    /// Whether this slot's server refused SFTP, so files go over SCP.
    var usesSCPProtocol: Bool { withoutSFTP.withLock { $0 } }

    /// A session whose host key is the pinned one. A pin by fingerprint does not say the key's type: when
    /// the server shows another of its keys first, each other type is asked for in a handshake of its own.
    func pinnedSession(cancellation: CancellationFlag) throws -> SSHSession {
        let session = try SSHSession(host: target.server, port: target.port, options: target.sessionOptions, cancellation: cancellation)
        if target.accepts(session.hostKey) { return session }
        session.close()
        var offered = [session.hostKey]
        var unavailable: [String] = []
        for algorithm in target.sessionOptions.hostKeyAlgorithms where algorithm != session.hostKey.algorithm {
            let other: SSHSession
            do {
                other = try SSHSession(host: target.server, port: target.port, options: target.options(onlyHostKey: algorithm), cancellation: cancellation)
            } catch let error as SSHError where error.kind == .connection {
                unavailable.append(algorithm)  // the server has no key of this type, or will not sign with it as asked
                continue
            }
            if target.accepts(other.hostKey) { return other }
            offered.append(other.hostKey)
            other.close()
        }
        throw target.mismatch(offered, unavailable: unavailable)
    }

    /// Writes `source` to a temporary name beside `remote`, then renames it into place; returns the size and
    /// SHA-256 of the bytes sent. On failure the temporary file is removed while the connection allows
    /// (else once connected again).
    func upload(_ source: FileRange, to remote: String, cancellation: CancellationFlag) throws -> SFTPTransferred {
        try run(cancellation: cancellation) { connection in
            let folder = (remote as NSString).deletingLastPathComponent
            let temporary = TemporaryName.beside(remote)
            var temporaryMayExist = false
            do {
                if !folder.isEmpty { try connection.files.createFolders(folder) }
                temporaryMayExist = true
                let sent = try connection.files.write(
                    localPath: source.readablePath, offset: source.offset, length: source.length, to: temporary,
                    cancellation: cancellation)
                try source.checkUnchanged()
                try connection.files.rename(temporary, to: remote, aside: TemporaryName.beside(remote))
                connection.files.keepalive()
                return sent
            } catch {
                if temporaryMayExist {
                    if (error as? SSHError)?.kind == .connection {
                        strayTemporaries.withLock { $0.append(temporary) }
                    } else {
                        try? connection.files.remove(temporary)
                    }
                }
                throw error
            }
        }
    }

    /// Closes the connection, if open: blocking network I/O, for a thread of its own.
    func close() {
        let connection = state.withLock { current -> Connection? in
            defer { current = nil }
            return current
        }
        connection?.files.close()
        connection?.session.close()
    }
}

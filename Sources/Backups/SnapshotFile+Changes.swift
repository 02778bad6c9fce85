import Storage
import Transport

/// Telling whether a file changed while it was backed up: the version the snapshot saw, opened once and read
/// through that one descriptor by every store, must be the version still there when the stores are done.
/// Growing, shrinking, rewriting in place and replacing by a rename (how Redis saves its dump) all count.
extension SnapshotFile {
    struct Opened {
        var range: FileRange
        /// The open file's identity when it was opened.
        var identity: FileIdentity
    }

    /// Opens the file for one put and checks it is still the snapshot's version.
    func open() throws -> Opened {
        let file: OpenFile
        do {
            file = try OpenFile.open(path: localPath)  // for a name that is not UTF-8, the path of `openFile`
        } catch let error as TransportError {
            throw SnapshotError(error.message)
        }
        guard let identity = file.identity() else { throw changed("it can no longer be read") }
        guard identity.size == size, identity.modifiedNanoseconds == modifiedNanoseconds else {
            throw changed(identity.size != size ? "it has \(identity.size) bytes, not the \(size) it had" : "it was rewritten")
        }
        return Opened(range: FileRange(path: localPath, length: size, file: file, identity: identity), identity: identity)
    }

    /// Throws when the open file, or what its path leads to now, is no longer the version opened.
    func checkUnchanged(since opened: FileIdentity) throws {
        if let reason = opened.difference(to: FileIdentity.of(path: pathBytes)) { throw changed(reason) }
    }

    func changed(_ reason: String) -> SnapshotError {
        SnapshotError("\(displayName) changed while it was being backed up (\(reason)); "
            + "the source executable must finish writing before the upload starts")
    }

    /// The file's path for messages, stray bytes shown as `\xNN`.
    var displayName: String { DirectoryWalk.display(pathBytes) }
}

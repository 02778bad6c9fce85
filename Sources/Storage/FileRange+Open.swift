import Transport

extension FileRange {
    /// This range with its file open: itself when it already is, else the file opened now, once, for every
    /// read of this put. Throws `TransportError(.local, …)` naming a file that cannot be opened.
    public func opened() throws -> FileRange {
        if file != nil { return self }
        let file = try OpenFile.open(path: path)
        return FileRange(path: path, offset: offset, length: length, file: file, identity: file.identity())
    }

    /// Throws when the open file is no longer as it was opened (grown, shrunk, rewritten): called by a store
    /// just before the bytes it read become a visible object. Nothing to check for a range that is not open.
    public func checkUnchanged() throws {
        guard let file, let identity else { return }
        if let reason = identity.difference(to: file.identity()) {
            throw StoreError(.permanent, "\(path) changed while it was being read (\(reason))")
        }
    }

    /// `length` bytes from `offset` within this range as a request body, read through the open file when there is one.
    public func body(offset relative: Int64 = 0, length count: Int64? = nil) -> HTTPBody {
        let count = count ?? length - relative
        if count == 0 { return .empty }
        if let file { return .open(file, offset: offset + relative, length: count) }
        return .file(path: path, offset: offset + relative, length: count)
    }

    /// A part of this range, read through the same open file.
    public func slice(offset relative: Int64, length count: Int64) -> FileRange {
        FileRange(path: path, offset: offset + relative, length: count, file: file, identity: identity)
    }

    /// A path that opens the same file: `/proc/self/fd/N` of the open file (so a rename meanwhile cannot swap
    /// it), else `path`. For readers that take a path (SFTP, local copies).
    public var readablePath: String { file?.path ?? path }
}

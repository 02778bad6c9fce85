import Foundation
import Signing
#if canImport(Glibc)
import Glibc
#endif

/// Streams one file (or `length` bytes of it from `offset`) to `temporary`, syncs it, renames it to
/// `destination` and syncs the folder: a file at `destination` is always whole. On any failure or
/// cancellation the temporary file is removed. Returns the size and SHA-256 of the bytes copied.
public enum FileCopy {
    static let chunkSize = 1 << 20

    @discardableResult
    public static func copy(
        from source: String, offset: Int64 = 0, length: Int64? = nil, to destination: String, via temporary: String,
        cancellation: CancellationFlag, beforeRename: () throws -> Void = {}
    ) throws -> (size: Int64, sha256: [UInt8]) {
        let folder = (destination as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw TransportError(.local, "cannot create folder \(folder): \(error.localizedDescription)")
        }
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw TransportError(.local, "cannot read \(source): \(reason(errno))") }
        defer { close(input) }

        let output = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw TransportError(.local, "cannot write \(temporary): \(reason(errno))") }
        var renamed = false
        defer {
            close(output)
            if !renamed { unlink(temporary) }
        }

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var hasher = DigestHasher(.sha256)
        var copied: Int64 = 0
        while length.map({ copied < $0 }) ?? true {
            if cancellation.isCancelled { throw CancellationError() }
            let wanted = cancellation.admit(upTo: Int(min(Int64(chunkSize), (length ?? Int64.max) - copied)))
            if wanted == 0 { throw CancellationError() }
            let count = pread(input, buffer.baseAddress, wanted, off_t(offset + copied))
            if count < 0 {
                if errno == EINTR { continue }
                throw TransportError(.local, "cannot read \(source): \(reason(errno))")
            }
            if count == 0 {
                if length != nil { throw TransportError(.local, "\(source) became shorter while it was being read") }
                break
            }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            copied += Int64(count)
            cancellation.didRead(count)
            var written = 0
            while written < count {
                let result = write(output, buffer.baseAddress! + written, count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw TransportError(.local, "cannot write \(temporary): \(reason(errno))")
                }
                written += result
            }
        }
        guard fsync(output) == 0 else { throw TransportError(.local, "cannot sync \(temporary): \(reason(errno))") }
        fchmod(output, 0o644)
        try beforeRename()
        guard rename(temporary, destination) == 0 else {
            throw TransportError(.local, "cannot rename \(temporary) to \(destination): \(reason(errno))")
        }
        renamed = true
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
        return (copied, hasher.finish())
    }

    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

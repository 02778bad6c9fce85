import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Streams one file to `temporary`, syncs it, renames it to `destination` and syncs the folder: a file at
/// `destination` is always whole. On any failure or cancellation the temporary file is removed.
public enum FileCopy {
    static let chunkSize = 1 << 20

    public static func copy(from source: String, to destination: String, via temporary: String, cancellation: CancellationFlag) throws {
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
        while true {
            if cancellation.isCancelled { throw CancellationError() }
            let count = read(input, buffer.baseAddress, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw TransportError(.local, "cannot read \(source): \(reason(errno))")
            }
            if count == 0 { break }
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
        guard rename(temporary, destination) == 0 else {
            throw TransportError(.local, "cannot rename \(temporary) to \(destination): \(reason(errno))")
        }
        renamed = true
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

import Foundation
import Signing

/// The digest of a byte range of a file, read in chunks with pread on a thread of its own:
/// the range is never held whole, whatever its size.
public enum FileRangeDigest {
    static let chunkSize = 1 << 20

    public static func of(
        path: String, offset: Int64, length: Int64, algorithm: DigestHasher.Algorithm
    ) async throws -> [UInt8] {
        try await onOwnThread { cancellation in
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw TransportError(.local, "cannot open \(path): \(String(cString: strerror(errno)))") }
            defer { close(descriptor) }
            var hasher = DigestHasher(algorithm)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
            defer { buffer.deallocate() }
            var done: Int64 = 0
            while done < length {
                if cancellation.isCancelled { throw CancellationError() }
                let wanted = Int(min(Int64(chunkSize), length - done))
                let got = pread(descriptor, buffer.baseAddress, wanted, off_t(offset + done))
                if got < 0, errno == EINTR { continue }
                guard got > 0 else {
                    let reason = got == 0 ? "it became shorter while being uploaded" : String(cString: strerror(errno))
                    throw TransportError(.local, "cannot read \(path): \(reason)")
                }
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
                done += Int64(got)
            }
            return hasher.finish()
        }
    }
}

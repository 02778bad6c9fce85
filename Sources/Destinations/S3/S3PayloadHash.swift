import Foundation
import Signing
import Transport

/// SHA-256 of a file range, read in small chunks on a thread of its own: the range is never held whole.
enum S3PayloadHash {
    static let chunkSize = 256 << 10

    static func of(path: String, offset: Int64, length: Int64) async throws -> String {
        try await onOwnThread { cancellation in
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw DestinationError("cannot open \(path): \(String(cString: strerror(errno)))") }
            defer { close(descriptor) }
            var hasher = SHA256Hasher()
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
                    throw DestinationError("cannot read \(path): \(reason)")
                }
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
                done += Int64(got)
            }
            return Digest.hex(hasher.finish())
        }
    }
}

import Foundation
import Signing
import Transport

/// One sequential read of a file range for the digests an upload needs: the MD5 the service checks the object
/// against and the SHA-256 the run records. It runs on a thread of its own beside the upload, a chunk at a
/// time, never holding the range.
enum GCSFileDigests {
    static let chunkSize = 1 << 20

    static func read(path: String, offset: Int64, length: Int64) async throws -> (md5: [UInt8], sha256: [UInt8]) {
        try await onOwnThread { cancellation in
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw TransportError(.local, "cannot open \(path): \(String(cString: strerror(errno)))")
            }
            defer { close(descriptor) }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
            defer { buffer.deallocate() }
            var md5 = DigestHasher(.md5)
            var sha256 = DigestHasher(.sha256)
            var done: Int64 = 0
            while done < length {
                if cancellation.isCancelled { throw CancellationError() }
                let got = pread(descriptor, buffer.baseAddress, Int(min(Int64(chunkSize), length - done)), off_t(offset + done))
                if got < 0, errno == EINTR { continue }
                guard got > 0 else {
                    let reason = got == 0 ? "it became shorter while being uploaded" : String(cString: strerror(errno))
                    throw TransportError(.local, "cannot read \(path): \(reason)")
                }
                let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
                md5.update(chunk)
                sha256.update(chunk)
                done += Int64(got)
            }
            return (md5.finish(), sha256.finish())
        }
    }
}

import Foundation
import Signing
import Synchronization

/// One sequential read of a file range that hashes each consecutive piece of it (an S3 part, say) and the
/// whole range with SHA-256 at once: a file is read a single time however it is cut, and never held whole.
/// Pieces are asked for in order, one at a time; each is read on a thread of its own.
public final class FilePartDigests: Sendable {
    private struct State: ~Copyable {
        let descriptor: Int32
        var position: Int64
        var end: Int64
        var whole: DigestHasher?

        deinit { close(descriptor) }
    }

    static let chunkSize = 1 << 20

    public let path: String
    private let state: Mutex<State>

    /// Opens `path` to hash the `length` bytes from `offset`.
    public init(path: String, offset: Int64 = 0, length: Int64) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw TransportError(.local, "cannot open \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        state = Mutex(State(descriptor: descriptor, position: offset, end: offset + length, whole: DigestHasher(.sha256)))
    }

    /// The SHA-256 of the next `length` bytes of the range, which also go into the whole range's digest.
    public func next(length: Int64) async throws -> [UInt8] {
        try await onOwnThread { cancellation in
            try self.state.withLock { state in
                guard state.position + length <= state.end else {
                    throw TransportError(.local, "\(self.path): a piece was asked for beyond the end of the range")
                }
                var piece = DigestHasher(.sha256)
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
                defer { buffer.deallocate() }
                var done: Int64 = 0
                while done < length {
                    if cancellation.isCancelled { throw CancellationError() }
                    let wanted = Int(min(Int64(Self.chunkSize), length - done))
                    let got = pread(state.descriptor, buffer.baseAddress, wanted, off_t(state.position + done))
                    if got < 0, errno == EINTR { continue }
                    guard got > 0 else {
                        let reason = got == 0 ? "it became shorter while being uploaded" : String(cString: strerror(errno))
                        throw TransportError(.local, "cannot read \(self.path): \(reason)")
                    }
                    let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
                    piece.update(bytes)
                    state.whole?.update(bytes)
                    done += Int64(got)
                }
                state.position += length
                return piece.finish()
            }
        }
    }

    /// The SHA-256 of the whole range, once every piece of it was read; nil before that, or when asked twice.
    public func finish() -> [UInt8]? {
        state.withLock { state in
            guard state.position == state.end else { return nil }
            return state.whole.take()?.finish()
        }
    }
}

import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// A ring buffer of `capacity` bytes whose memory is mapped twice, back to back, so that whatever it holds is one
/// contiguous run of memory even where it wraps round the end: data read into it is never moved again to stay
/// contiguous. Positions are absolute byte counts; position `p` lies at `base + p % capacity`. Used by one thread.
final class MirroredRing {
    let capacity: Int
    private let base: UnsafeMutablePointer<CChar>

    /// `capacity`: a multiple of the page size.
    init(capacity: Int) throws {
        guard let mapped = sb_mirrored_buffer_create(capacity) else {
            throw SSHError(.local, "cannot map a transfer buffer: \(String(cString: strerror(errno)))")
        }
        self.capacity = capacity
        base = mapped.assumingMemoryBound(to: CChar.self)
    }

    deinit { _ = sb_mirrored_buffer_destroy(base, capacity) }

    /// The memory of position `position`; from there up to `capacity` bytes are contiguous.
    func at(_ position: Int64) -> UnsafeMutablePointer<CChar> {
        base + Int(position % Int64(capacity))
    }
}

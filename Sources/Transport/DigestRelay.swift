import Foundation
import Signing
#if canImport(Glibc)
import Glibc
#endif

/// Carries the chunks one thread reads to a second thread that runs a digest over all of them in order (the
/// whole range's SHA-256), and hands the buffers back: the reader checksums each block and goes on reading while
/// the digest, the costliest pass over the bytes, runs beside it. A fixed set of buffers bounds the memory; the
/// reader waits only when every buffer is queued, the digest only when none is. Either side ending early calls
/// ``abandon()``, which wakes the other.
final class DigestRelay: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let changed = ThreadCondition()
    private let algorithm: DigestHasher.Algorithm
    private let buffers: [UnsafeMutableRawBufferPointer]
    // Guarded by `mutex`.
    /// Indices into `buffers`: the empty ones, and the filled ones in reading order with their byte counts.
    private var free: [Int]
    private var queued: [(index: Int, count: Int)] = []
    private var finished = false
    private var abandoned = false
    /// Set once a digest started by ``digestOnPoolThread(priority:)`` has ended, with its result.
    private var digested: [UInt8]?? = nil
    /// The reader's alone (``copy(_:)``): the buffer it is filling, and how many bytes it holds.
    private var filling: (index: Int, count: Int)?

    init(_ algorithm: DigestHasher.Algorithm, buffers count: Int, size: Int) {
        self.algorithm = algorithm
        buffers = (0..<count).map { _ in .allocate(byteCount: size, alignment: 64) }
        free = Array(buffers.indices)
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        buffers.forEach { $0.deallocate() }
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// The reader's next empty buffer and its index; nil once abandoned.
    func emptyBuffer() -> (index: Int, buffer: UnsafeMutableRawBufferPointer)? {
        locked {
            while free.isEmpty && !abandoned { changed.wait(mutex) }
            guard !abandoned else { return nil }
            let index = free.removeLast()
            return (index, buffers[index])
        }
    }

    /// Queues the first `count` bytes of buffer `index` (from ``emptyBuffer()``) for the digest.
    func pass(_ index: Int, count: Int) {
        locked {
            queued.append((index, count))
            changed.broadcast()
        }
    }

    /// For a reader with the bytes in hand (a download's writer): copies them into buffers, passing each on once it
    /// is full; ``finish()`` passes the last one. Nothing is copied once abandoned.
    func copy(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes[...]
        while !rest.isEmpty {
            guard let (index, count) = filling ?? emptyBuffer().map({ ($0.index, 0) }) else { return }
            let buffer = buffers[index]
            let n = min(rest.count, buffer.count - count)
            (buffer.baseAddress! + count).copyMemory(from: UnsafeRawBufferPointer(rebasing: rest.prefix(n)).baseAddress!, byteCount: n)
            rest = rest.dropFirst(n)
            if count + n == buffer.count {
                filling = nil
                pass(index, count: buffer.count)
            } else {
                filling = (index, count + n)
            }
        }
    }

    /// The reader has passed every chunk (a buffer ``copy(_:)`` was filling goes first).
    func finish() {
        if let (index, count) = filling { pass(index, count: count) }
        filling = nil
        locked {
            finished = true
            changed.broadcast()
        }
    }

    /// Either side stops: the other wakes and stops too.
    func abandon() {
        locked {
            abandoned = true
            changed.broadcast()
        }
    }

    /// Runs the digest over the chunks as they come, in order, until the reader finishes; nil when abandoned.
    private func digest() -> [UInt8]? {
        var hasher = DigestHasher(algorithm)
        while let (index, count) = nextChunk() {
            hasher.update(UnsafeRawBufferPointer(rebasing: buffers[index][0..<count]))
            locked {
                free.append(index)
                changed.broadcast()
            }
        }
        return locked { abandoned || !finished } ? nil : hasher.finish()
    }

    /// Starts the digest on a thread of the blocking pool, at `priority`; ``awaitDigest()`` waits for its result.
    func digestOnPoolThread(priority: ThreadPriority?) {
        BlockingThreadPool.shared.submit(BlockingThreadPool.Job(priority: priority) { [self] in
            let result = digest()
            locked {
                digested = .some(result)
                changed.broadcast()
            }
            return {}
        })
    }

    /// The result of the digest ``digestOnPoolThread(priority:)`` started, once it has ended; nil when abandoned.
    func awaitDigest() -> [UInt8]? {
        locked {
            while digested == nil { changed.wait(mutex) }
            return digested ?? nil
        }
    }

    /// The oldest queued chunk; nil once the reader has finished and nothing is queued, or on abandon.
    private func nextChunk() -> (index: Int, count: Int)? {
        locked {
            while queued.isEmpty && !finished && !abandoned { changed.wait(mutex) }
            return abandoned || queued.isEmpty ? nil : queued.removeFirst()
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}

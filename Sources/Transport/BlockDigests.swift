import Foundation
import Signing

/// One sequential read of a file range, cut into blocks: each block's digest as soon as the block has been
/// read, and the SHA-256 of the whole range from that same read, so no file is read a second time to learn
/// its hash. The read runs on a thread of its own, a chunk at a time: the range is never held whole.
public enum BlockDigests {
    static let chunkSize: Int64 = 1 << 20
    /// Chunks in flight between the read and the SHA-256 beside it: one being read, one being hashed, two queued.
    static let relayBuffers = 4

    public enum Event: Sendable, Equatable {
        /// Block `index` (from 0, in order) and its digest. An empty range is one empty block.
        case block(index: Int, digest: [UInt8])
        /// The last event: the SHA-256 of the whole range.
        case whole(sha256: [UInt8])
    }

    /// Reads `length` bytes of `path` from `offset` in blocks of `blockSize`, each hashed with `algorithm`.
    /// Stopping the iteration (or cancelling its task) stops the read.
    /// With `file`, the range is read through that open descriptor and `path` only names it in messages.
    /// A CRC (CRC-32C, CRC-64) as the block digest keeps the whole range's SHA-256 the only costly pass.
    public static func read(
        path: String, file: OpenFile? = nil, offset: Int64 = 0, length: Int64, blockSize: Int64, algorithm: DigestHasher.Algorithm
    ) -> AsyncThrowingStream<Event, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    if readsAtOnce(length) {
                        let events = try await eventsAtOnce(path: path, file: file, offset: offset, length: length, blockSize: blockSize, algorithm: algorithm)
                        events.forEach { continuation.yield($0) }
                    } else {
                        let sha256 = try await readBesideDigest(
                            path: path, file: file, offset: offset, length: length, blockSize: max(1, blockSize), algorithm: algorithm
                        ) { continuation.yield($0) }
                        continuation.yield(.whole(sha256: sha256))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Whether a range is read and digested in one job, its events all at once: up to two chunks, where a second
    /// thread for the SHA-256 and a hand-over per event would cost more than they save.
    static func readsAtOnce(_ length: Int64) -> Bool { length <= 2 * chunkSize }

    /// Every event of a range that ``readsAtOnce(_:)``, from one read on a thread of its own.
    private static func eventsAtOnce(
        path: String, file: OpenFile?, offset: Int64, length: Int64, blockSize: Int64, algorithm: DigestHasher.Algorithm
    ) async throws -> [Event] {
        try await onOwnThread { cancellation in
            var events: [Event] = []
            let sha256 = try hash(path: path, file: file, offset: offset, length: length, blockSize: max(1, blockSize), algorithm: algorithm,
                                  cancellation: cancellation, relay: nil) { events.append($0) }
            return events + [.whole(sha256: sha256 ?? [])]
        }
    }

    /// The read of a larger range, on a thread of its own, emitting each block's event, with its SHA-256 run on a
    /// second thread beside the read and the block checksums (``DigestRelay``), so the costliest pass over the bytes
    /// is the only one on its thread; returns that SHA-256.
    private static func readBesideDigest(
        path: String, file: OpenFile?, offset: Int64, length: Int64, blockSize: Int64, algorithm: DigestHasher.Algorithm,
        emit: @escaping @Sendable (Event) -> Void
    ) async throws -> [UInt8] {
        let relay = DigestRelay(.sha256, buffers: relayBuffers, size: Int(chunkSize))
        relay.digestOnPoolThread(priority: OwnThreadContext.priority)
        return try await onOwnThread { cancellation in
            do {
                _ = try hash(path: path, file: file, offset: offset, length: length, blockSize: blockSize, algorithm: algorithm,
                             cancellation: cancellation, relay: relay, emit: emit)
                relay.finish()
            } catch {
                relay.abandon()
                throw error
            }
            guard let sha256 = relay.awaitDigest() else { throw CancellationError() }
            return sha256
        }
    }

    /// Reads the range once, in blocks, and runs `body` for each block as soon as its digest is known, at most
    /// `width` at once (an upload of that block, say); returns their results in block order and the SHA-256 of
    /// the whole range. A read stopped before its end throws `CancellationError`: nothing may be committed then.
    public static func forEachBlock<Result: Sendable>(
        path: String, file: OpenFile? = nil, offset: Int64 = 0, length: Int64, blockSize: Int64, algorithm: DigestHasher.Algorithm, width: Int,
        _ body: @escaping @Sendable (_ index: Int, _ digest: [UInt8]) async throws -> Result
    ) async throws -> (results: [Result], sha256: [UInt8]) {
        var events = readsAtOnce(length)
            ? EventSource(collected: try await eventsAtOnce(
                path: path, file: file, offset: offset, length: length, blockSize: blockSize, algorithm: algorithm).makeIterator())
            : EventSource(streamed: read(
                path: path, file: file, offset: offset, length: length, blockSize: blockSize, algorithm: algorithm).makeAsyncIterator())
        let (results, sha256) = try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var results: [Int: Result] = [:]
            var running = 0
            var sha256: [UInt8] = []
            while let event = try await events.next() {
                switch event {
                case .block(let index, let digest):
                    if running >= max(1, width), let (done, result) = try await group.next() {
                        results[done] = result
                        running -= 1
                    }
                    group.addTask { (index, try await body(index, digest)) }
                    running += 1
                case .whole(let digest):
                    sha256 = digest
                }
            }
            while let (done, result) = try await group.next() { results[done] = result }
            return (results.sorted { $0.key < $1.key }.map(\.value), sha256)
        }
        try Task.checkCancellation()
        guard !sha256.isEmpty else { throw CancellationError() }
        return (results, sha256)
    }

    /// The events of one read: all of them at once, or as the read streams them.
    private struct EventSource {
        var collected: IndexingIterator<[Event]>?
        var streamed: AsyncThrowingStream<Event, any Error>.Iterator?

        init(collected: IndexingIterator<[Event]>) { self.collected = collected }
        init(streamed: AsyncThrowingStream<Event, any Error>.Iterator) { self.streamed = streamed }

        mutating func next() async throws -> Event? {
            if collected != nil { return collected!.next() }
            return try await streamed?.next()
        }
    }

    /// Reads the range in chunks, checksums each block and emits it. Each chunk goes to `relay` for the whole
    /// range's SHA-256 when there is one; without, the SHA-256 runs here and is returned.
    private static func hash(
        path: String, file: OpenFile?, offset: Int64, length: Int64, blockSize: Int64, algorithm: DigestHasher.Algorithm,
        cancellation: CancellationFlag, relay: DigestRelay?, emit: (Event) -> Void
    ) throws -> [UInt8]? {
        let opened = try file ?? OpenFile.open(path: path)
        let own = relay == nil ? UnsafeMutableRawBufferPointer.allocate(byteCount: Int(min(chunkSize, max(1, length))), alignment: 16) : nil
        defer { own?.deallocate() }
        var whole = relay == nil ? DigestHasher(.sha256) : nil
        var done: Int64 = 0
        var index = 0
        repeat {
            let blockEnd = min(length, done + blockSize)
            var block = DigestHasher(algorithm)
            while done < blockEnd {
                if cancellation.isCancelled { throw CancellationError() }
                guard let (slot, buffer) = own.map({ (0, $0) }) ?? relay?.emptyBuffer() else { throw CancellationError() }
                let wanted = Int(min(Int64(buffer.count), blockEnd - done))
                let got = opened.read(into: buffer.baseAddress!, count: wanted, at: offset + done)
                guard got > 0 else {
                    let reason = got == 0 ? "it became shorter while being uploaded" : String(cString: strerror(errno))
                    throw TransportError(.local, "cannot read \(path): \(reason)")
                }
                let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
                block.update(chunk)
                if let relay { relay.pass(slot, count: got) } else { whole?.update(chunk) }
                done += Int64(got)
            }
            emit(.block(index: index, digest: block.finish()))
            index += 1
        } while done < length
        switch consume whole {
        case .some(let digest): return digest.finish()
        case .none: return nil
        }
    }
}

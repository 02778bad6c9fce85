import Foundation
import Synchronization

/// Set when the task that waits for blocking work is cancelled; the work polls it and stops.
public final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)
    /// Paces the bytes the work reads to send (see ``admit(upTo:)``); nil when nothing does.
    public let pacer: (any TransferPacer)?

    public init(pacer: (any TransferPacer)? = nil) {
        self.pacer = pacer
    }

    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    public func cancel() { cancelled.store(true, ordering: .releasing) }
}

/// Runs blocking work (a libcurl transfer, an SSH session, file I/O) on a thread of its own, off the
/// Swift concurrency pool, and awaits it. Cancelling the awaiting task sets the flag the work polls.
/// The work takes the calling task's ``OwnThreadContext``: its pacer on the flag, its priority on the thread
/// for this work only. Threads are reused from a pool that grows whenever all are busy (see `BlockingThreadPool`).
public func onOwnThread<T: Sendable>(
    _ work: @escaping @Sendable (CancellationFlag) throws -> T
) async throws -> T {
    let flag = CancellationFlag(pacer: OwnThreadContext.pacer)
    let priority = OwnThreadContext.priority
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            BlockingThreadPool.shared.submit(BlockingThreadPool.Job(priority: priority) {
                let result = Result { try work(flag) }
                return { continuation.resume(with: result) }
            })
        }
    } onCancel: {
        flag.cancel()
    }
}

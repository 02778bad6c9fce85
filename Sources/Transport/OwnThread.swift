import Foundation
import Synchronization

/// Set when the task that waits for blocking work is cancelled; the work polls it and stops.
public final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    public init() {}

    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    public func cancel() { cancelled.store(true, ordering: .releasing) }
}

/// Runs blocking work (a libcurl transfer, an SSH session, file I/O) on a thread of its own, off the
/// Swift concurrency pool, and awaits it. Cancelling the awaiting task sets the flag the work polls.
public func onOwnThread<T: Sendable>(
    _ work: @escaping @Sendable (CancellationFlag) throws -> T
) async throws -> T {
    let flag = CancellationFlag()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try work(flag) })
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    } onCancel: {
        flag.cancel()
    }
}

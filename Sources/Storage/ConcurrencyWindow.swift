/// The one concurrency window of a destination: at most `limit` transfers (a request body, a part, a file)
/// run at once; the others wait in order. A cancelled waiter stops waiting.
/// A fixed window's limit is its `capacity`. An adaptive one (``init(adaptive:clock:)``) starts at the policy's
/// width and moves it within `1...capacity` as its requests complete (``withPermit(bytes:_:)``) and as requests
/// are retried (``noteRetry()``); lowering it lets running transfers finish and starts no new one until below it.
public actor ConcurrencyWindow {
    private var inFlight = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID = 0
    private var policy: AdaptiveConcurrency?
    private let clock: @Sendable () -> Duration

    /// The most transfers that ever run at once: how many a caller may usefully line up.
    public let capacity: Int
    /// How many run at once now.
    public private(set) var limit: Int

    public init(permits: Int) {
        capacity = max(1, permits)
        limit = capacity
        clock = { .zero }
    }

    /// A window whose width `policy` sets; `clock` tells the time since any fixed origin (a monotonic clock).
    public init(adaptive policy: AdaptiveConcurrency, clock: @escaping @Sendable () -> Duration = ConcurrencyWindow.monotonic) {
        self.policy = policy
        self.clock = clock
        capacity = policy.maximum
        limit = policy.width
    }

    /// Time since this process's first call, from the monotonic clock.
    public static let monotonic: @Sendable () -> Duration = {
        ContinuousClock.now - origin
    }
    private static let origin = ContinuousClock.now

    /// Runs `body` holding a permit; `bytes` is what it moves (a request body's length), for an adaptive window's
    /// measure of the link. A body that throws counts as no bytes moved.
    public nonisolated func withPermit<T: Sendable>(bytes: Int64 = 0, _ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire()
        do {
            let value = try await body()
            await release(moved: bytes)
            return value
        } catch {
            await release(moved: 0)
            throw error
        }
    }

    /// A request through this window is to be tried again (throttled, a 5xx, cut off): an adaptive window narrows.
    public nonisolated func noteRetry() {
        Task { await self.congested() }
    }

    private func congested() {
        guard var policy else { return }
        limit = policy.congested(at: clock())
        self.policy = policy
    }

    private func acquire() async throws {
        try Task.checkCancellation()
        if inFlight < limit, waiters.isEmpty {
            inFlight += 1
            policy?.started(at: clock())
            return
        }
        let id = nextID
        nextID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    private func release(moved bytes: Int64) {
        inFlight -= 1
        if var policy {
            limit = policy.completed(bytes: bytes, at: clock())
            self.policy = policy
        }
        while inFlight < limit, !waiters.isEmpty {
            inFlight += 1
            waiters.removeFirst().continuation.resume()
        }
    }
}

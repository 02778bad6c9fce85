import Synchronization

/// Idle easy handles kept for reuse, each with its open connections.
final class CurlHandlePool: Sendable {
    private let idle = Mutex<[CurlEasy]>([])
    private let capacity: Int

    init(capacity: Int = 32) {
        self.capacity = capacity
    }

    func take() throws -> CurlEasy {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        return try CurlEasy()
    }

    /// Keeps `handle` for the next transfer, or lets it go (closing its connections) when the pool is full.
    func giveBack(_ handle: CurlEasy) {
        handle.forgetTransfer()
        let surplus: CurlEasy? = idle.withLock { handles in
            guard handles.count < capacity else { return handle }
            handles.append(handle)
            return nil
        }
        _ = surplus
    }
}

import Foundation
import Testing
@testable import Transport

@Suite struct BlockingThreadPoolTests {
    struct Seen: Sendable, Equatable {
        let thread: UInt
        let priority: ThreadPriorityBaseline
    }

    static func seen() -> Seen {
        Seen(thread: UInt(pthread_self()), priority: .ofCurrentThread())
    }

    func run<T: Sendable>(
        _ pool: BlockingThreadPool, priority: ThreadPriority? = nil, _ body: @escaping @Sendable () -> T
    ) async -> T {
        await withCheckedContinuation { continuation in
            pool.submit(BlockingThreadPool.Job(priority: priority) {
                let value = body()
                return { continuation.resume(returning: value) }
            })
        }
    }

    /// Every one of `count` items waits until all have arrived: they finish only if each has a thread of its own.
    func allAtOnce(_ pool: BlockingThreadPool, count: Int) async -> [Bool] {
        let arrived = NSCondition()
        nonisolated(unsafe) var present = 0
        return await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<count {
                group.addTask {
                    await run(pool) {
                        arrived.lock()
                        defer { arrived.unlock() }
                        present += 1
                        arrived.broadcast()
                        let deadline = Date().addingTimeInterval(60)
                        while present < count, arrived.wait(until: deadline) {}
                        return present == count
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func oneItemAfterAnotherReusesOneThread() async {
        let pool = BlockingThreadPool(keepIdle: 1, idleTimeout: 60)
        var threads = Set<UInt>()
        for _ in 0..<30 { threads.insert(await run(pool) { Self.seen().thread }) }
        #expect(threads.count == 1)
        #expect(pool.threadCount == 1)
    }

    @Test func itemsThatWaitForEachOtherEachGetAThread() async {
        let pool = BlockingThreadPool(keepIdle: 1, idleTimeout: 60)
        #expect(await allAtOnce(pool, count: 6) == Array(repeating: true, count: 6))
        #expect(pool.threadCount == 6)
    }

    @Test func idleThreadsBeyondTheKeptOnesEnd() async {
        let pool = BlockingThreadPool(keepIdle: 2, idleTimeout: 0.05)
        #expect(await allAtOnce(pool, count: 5) == Array(repeating: true, count: 5))
        #expect(pool.waitForThreads(atMost: 2, timeout: 60))
        #expect(pool.threadCount == 2)
        #expect(await allAtOnce(pool, count: 3) == Array(repeating: true, count: 3))
    }

    @Test func anItemsPriorityDoesNotReachTheNextItem() async {
        let pool = BlockingThreadPool(keepIdle: 1, idleTimeout: 60)
        let before = await run(pool) { Self.seen() }
        let lowered = await run(pool, priority: ThreadPriority(nice: 7, io: .idle)) { Self.seen() }
        #expect(lowered.priority.nice == 7)
        #expect(lowered.priority.io == 3 << 13)
        let after = await run(pool) { Self.seen() }
        #expect(after.priority == before.priority)
        // The same thread when it could take its priority back (privileged), another one when it could not.
        if after.thread != lowered.thread {
            let again = await run(pool, priority: ThreadPriority(nice: 7, io: .idle)) { Self.seen() }
            #expect(again.thread == lowered.thread)
        }
    }

    @Test func onOwnThreadLowersOnlyTheWorkThatAsks() async throws {
        let unlowered = try await onOwnThread { _ in ThreadPriorityBaseline.ofCurrentThread() }
        let lowered = try await OwnThreadContext.$priority.withValue(ThreadPriority(nice: 5)) {
            try await onOwnThread { _ in ThreadPriorityBaseline.ofCurrentThread() }
        }
        #expect(lowered.nice == 5)
        for _ in 0..<5 {
            #expect(try await onOwnThread { _ in ThreadPriorityBaseline.ofCurrentThread() } == unlowered)
        }
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Threads for blocking work (see ``onOwnThread(_:)``), reused from one work item to the next instead of one new
/// thread per item. A new thread starts whenever no idle one fits, so an item never waits for another to finish
/// (items may block for a whole transfer). An idle thread sleeps on a condition variable of its own, with no
/// periodic wake-up: the first `keepIdle` idle threads wait until work comes; any further one waits at most
/// `idleTimeout`, then ends.
///
/// An item with a ``ThreadPriority`` lowers its thread for the item only: the thread takes its own priority back
/// afterwards. Where it cannot (raising niceness again needs privilege), the thread keeps that priority and from
/// then on only takes items with the same priority, so no item ever runs at another's priority.
final class BlockingThreadPool: @unchecked Sendable {
    /// What one item runs on a pool thread: its body returns how to hand over its result, which the thread calls
    /// once it is idle again (so that a caller who awaits the result and submits the next item finds it idle).
    struct Job: Sendable {
        let priority: ThreadPriority?
        let body: @Sendable () -> @Sendable () -> Void
    }

    /// The process's pool, used by ``onOwnThread(_:)``.
    static let shared = BlockingThreadPool(keepIdle: 4, idleTimeout: 20)

    private let keepIdle: Int
    private let idleTimeout: Double
    private let stackSize: Int
    // Everything below, and each worker's `job`, `holds`, `waitsForever`, is guarded by `mutex`.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Signalled when a thread ends, for ``waitForThreads(atMost:)``.
    private let ended: ThreadCondition
    /// Idle workers, the most recently idle last (taken first, so the others are the ones that time out).
    private var idle: [Worker] = []
    private var waitingForever = 0
    private var threads = 0

    init(keepIdle: Int, idleTimeout: Double, stackSize: Int = 1 << 20) {
        self.keepIdle = keepIdle
        self.idleTimeout = idleTimeout
        self.stackSize = stackSize
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        ended = ThreadCondition()
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `job` on an idle thread holding the job's priority, or on a new thread when none is idle.
    func submit(_ job: Job) {
        let priority = job.priority.flatMap { $0.leavesThreadAsIs ? nil : $0 }
        let job = Job(priority: priority, body: job.body)
        pthread_mutex_lock(mutex)
        if let index = idle.lastIndex(where: { $0.holds == priority }) {
            let worker = idle.remove(at: index)
            if worker.waitsForever { waitingForever -= 1 }
            worker.job = job
            worker.wake.signal()
            pthread_mutex_unlock(mutex)
            return
        }
        threads += 1
        pthread_mutex_unlock(mutex)
        let worker = Worker(job: job)
        let thread = Thread { [self] in run(worker) }
        thread.stackSize = stackSize
        thread.start()
    }

    /// How many threads the pool has, busy or idle.
    var threadCount: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return threads
    }

    /// Blocks until the pool has at most `count` threads or `timeout` seconds pass; false on timeout. For tests:
    /// idle threads beyond `keepIdle` end.
    func waitForThreads(atMost count: Int, timeout: Double) -> Bool {
        let deadline = ThreadCondition.deadline(after: timeout)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while threads > count, ended.wait(mutex, until: deadline) {}
        return threads <= count
    }

    /// A worker thread's life: run its job, go idle, wait for the next one or for its idle time to run out.
    private func run(_ worker: Worker) {
        let baseline = ThreadPriorityBaseline.ofCurrentThread()
        pthread_mutex_lock(mutex)
        while let job = worker.job {
            worker.job = nil
            pthread_mutex_unlock(mutex)
            job.priority?.applyToCurrentThread()
            let deliver = job.body()
            let holds = job.priority.flatMap { baseline.restore(after: $0) ? nil : $0 }
            pthread_mutex_lock(mutex)
            worker.holds = holds
            worker.waitsForever = holds == nil && waitingForever < keepIdle
            if worker.waitsForever { waitingForever += 1 }
            idle.append(worker)
            pthread_mutex_unlock(mutex)
            deliver()
            pthread_mutex_lock(mutex)
            if worker.waitsForever {
                while worker.job == nil { worker.wake.wait(mutex) }
            } else {
                let deadline = ThreadCondition.deadline(after: idleTimeout)
                while worker.job == nil, worker.wake.wait(mutex, until: deadline) {}
                if worker.job == nil, let index = idle.firstIndex(where: { $0 === worker }) {
                    idle.remove(at: index)
                }
            }
        }
        threads -= 1
        ended.broadcast()
        pthread_mutex_unlock(mutex)
    }

    private final class Worker: @unchecked Sendable {
        var job: Job?
        /// The priority the thread keeps because it could not take its own back; nil when it has its own.
        var holds: ThreadPriority?
        var waitsForever = false
        let wake = ThreadCondition()

        init(job: Job) {
            self.job = job
        }
    }
}

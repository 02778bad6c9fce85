import Synchronization
import Testing
@testable import Transport

@Suite struct RetryPolicyTests {
    struct Flaky: RetryableError { var isRetryable: Bool }

    let fast = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5), maxTotal: .seconds(10))

    @Test func retriesUntilSuccess() async throws {
        let attempts = Atomic<Int>(0)
        let retries = Mutex<[Int]>([])
        let value = try await fast.run(onRetry: { attempt, _, delay in
            retries.withLock { $0.append(attempt) }
            #expect(delay <= .milliseconds(5))
        }) {
            if attempts.add(1, ordering: .relaxed).newValue < 3 { throw Flaky(isRetryable: true) }
            return "done"
        }
        #expect(value == "done")
        #expect(attempts.load(ordering: .relaxed) == 3)
        #expect(retries.withLock { $0 } == [1, 2])
    }

    @Test func givesUpAfterMaxAttempts() async throws {
        let attempts = Atomic<Int>(0)
        await #expect(throws: Flaky.self) {
            try await fast.run { () async throws -> Int in
                attempts.add(1, ordering: .relaxed)
                throw Flaky(isRetryable: true)
            }
        }
        #expect(attempts.load(ordering: .relaxed) == 4)
    }

    @Test func doesNotRetryPermanentErrors() async throws {
        let attempts = Atomic<Int>(0)
        await #expect(throws: Flaky.self) {
            try await fast.run { () async throws -> Int in
                attempts.add(1, ordering: .relaxed)
                throw Flaky(isRetryable: false)
            }
        }
        #expect(attempts.load(ordering: .relaxed) == 1)
    }

    @Test func stopsWhenTotalTimeWouldBeExceeded() async throws {
        let policy = RetryPolicy(maxAttempts: 100, baseDelay: .seconds(5), maxDelay: .seconds(5), maxTotal: .milliseconds(1))
        let attempts = Atomic<Int>(0)
        await #expect(throws: Flaky.self) {
            try await policy.run { () async throws -> Int in
                attempts.add(1, ordering: .relaxed)
                throw Flaky(isRetryable: true)
            }
        }
        // Any pause but an exactly-zero draw would end past the 1 ms budget.
        #expect(attempts.load(ordering: .relaxed) <= 2)
    }

    @Test func aStallsSilenceCountsAgainstTheBudget() async throws {
        // The budget is 10 s; the first attempt stalled for 11 s of it before failing: no retry is left.
        struct Stalled: RetryableError {
            var isRetryable: Bool { true }
            var idleBeforeFailure: Duration? { .seconds(11) }
        }
        let attempts = Atomic<Int>(0)
        await #expect(throws: Stalled.self) {
            try await fast.run { () async throws -> Int in
                attempts.add(1, ordering: .relaxed)
                throw Stalled()
            }
        }
        #expect(attempts.load(ordering: .relaxed) == 1)
        // The same failure without the stall is retried up to maxAttempts.
        attempts.store(0, ordering: .relaxed)
        await #expect(throws: Flaky.self) {
            try await fast.run { () async throws -> Int in
                attempts.add(1, ordering: .relaxed)
                throw Flaky(isRetryable: true)
            }
        }
        #expect(attempts.load(ordering: .relaxed) == 4)
    }

    @Test func cancellationStopsRetrying() async throws {
        let policy = RetryPolicy(maxAttempts: 100, baseDelay: .seconds(30), maxDelay: .seconds(30), maxTotal: .seconds(600))
        let attempts = Atomic<Int>(0)
        let task = Task {
            try await policy.run { () async throws -> Int in
                attempts.add(1, ordering: .relaxed)
                throw Flaky(isRetryable: true)
            }
        }
        while attempts.load(ordering: .relaxed) == 0 { await Task.yield() }
        let started = ContinuousClock.now
        task.cancel()
        _ = await task.result
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(attempts.load(ordering: .relaxed) == 1)
    }

    @Test func backoffGrowsExponentiallyUpToTheCap() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.backoffCeiling(afterAttempt: 1) == .milliseconds(100))
        #expect(policy.backoffCeiling(afterAttempt: 2) == .milliseconds(200))
        #expect(policy.backoffCeiling(afterAttempt: 4) == .milliseconds(800))
        #expect(policy.backoffCeiling(afterAttempt: 5) == .seconds(1))
        #expect(policy.backoffCeiling(afterAttempt: 500) == .seconds(1))
        let delays = (0..<200).map { _ in policy.jitteredDelay(afterAttempt: 3) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .milliseconds(400) })
        #expect(Set(delays).count > 100)
    }
}

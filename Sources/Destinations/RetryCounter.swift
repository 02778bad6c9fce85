import Synchronization

/// How many requests were tried again, across every task of one upload.
final class RetryCounter: Sendable {
    private let count = Atomic<Int>(0)

    func increment() { count.add(1, ordering: .relaxed) }

    var value: Int { count.load(ordering: .relaxed) }
}
